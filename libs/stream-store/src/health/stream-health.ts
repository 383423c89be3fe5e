import { Injectable, Optional } from '@nestjs/common';
import { Changelogs } from '../changelog/changelogs.js';
import { KafkaConnections } from '../kafka/kafka-connections.js';
import type { OutboxStatus } from '../consumer/outbox-status.js';
import { StoreRuntime } from '../store/store-runtime.js';
import { DEFAULTS } from '../defaults.js';
import { StallWatch } from './stalled-partitions.js';
import type { SourceStatus } from '../sources/source-status.interface.js';
import { StreamSources } from '../sources/stream-sources.js';
import { type HandlerStatus, StreamStoreServer } from '../transport/stream-store.server.js';

export interface StreamHealthReport {
  /** False when someone must act (`status` is `unhealthy`); a degraded app recovers by itself. */
  healthy: boolean;
  /**
   * `healthy`; `degraded`: partitions wait for something that comes back by itself (a broker, the
   * database, a timed-out run) or restore; `unhealthy`: stuck until someone acts.
   */
  status: 'healthy' | 'degraded' | 'unhealthy';
  /** Why it is unhealthy; empty when it is not. */
  problems: string[];
  /** Why it is degraded: what partitions are waiting for. */
  degraded: string[];
  handlers: HandlerStatus[];
  producer: 'connected' | 'disconnected';
  store: 'reachable' | 'unreachable' | 'none';
  /** Committed outputs not yet produced (with state stores). */
  outbox?: OutboxStatus;
  /** Partitions whose state is being restored from a changelog (not processing yet). */
  restoring: Array<{ store: string; partition: number; restored: number; total: number; records: number }>;
  /** `@StreamSource` methods: state, runs and items; a failed one-off source makes the app unhealthy. */
  sources: SourceStatus[];
}

/**
 * What health checks need to know: handlers running (and their partitions), producer connected,
 * store reachable, partitions halted, waiting or restoring. Plain data; `StreamStoreHealthIndicator`
 * (from `@samsa/stream-store/terminus`) wraps it for @nestjs/terminus.
 */
@Injectable()
export class StreamHealth {
  private readonly stalls = new StallWatch();

  constructor(
    private readonly server: StreamStoreServer,
    private readonly kafka: KafkaConnections,
    private readonly stores: StoreRuntime,
    private readonly changelogs: Changelogs,
    @Optional() private readonly sources?: StreamSources,
  ) {}

  async check(): Promise<StreamHealthReport> {
    const handlers = this.server.handlerStatus();
    const problems: string[] = [];
    const degraded: string[] = [];
    for (const handler of handlers) {
      if (handler.state === 'crashed')
        problems.push(`${handler.handler}: consumer crashed (${handler.error ?? 'unknown error'})`);
      if (handler.state === 'restarting')
        problems.push(`${handler.handler}: consumer keeps restarting (${handler.error ?? 'unknown error'})`);
      for (const [partition, reason] of Object.entries(handler.halted)) {
        problems.push(`${handler.handler}: partition ${partition} ${reason}`);
      }
      for (const [partition, reason] of Object.entries(handler.waiting)) {
        degraded.push(`${handler.handler}: partition ${partition} ${reason}`);
      }
    }
    // Anything else holding a partition up, seen from outside: records wait, nothing moves.
    const stalls = await this.stalls
      .check(this.kafka.admin, handlers, DEFAULTS.partitionStallMs)
      .catch(() => []); // an unreachable broker is reported below
    for (const { handler, partition, waiting, forMs } of stalls) {
      const line = `${handler}: partition ${partition} made no progress for ${Math.round(forMs / 1000)} s with ${waiting} record(s) waiting`;
      (forMs >= DEFAULTS.partitionStuckMs ? problems : degraded).push(line);
    }
    const broker = this.kafka.reachability();
    if (!broker.reachable) problems.push(broker.reason ?? 'no Kafka broker answers');
    const producer = this.kafka.connected ? 'connected' : 'disconnected';
    if (producer === 'disconnected') problems.push('Kafka producer is not connected');
    const store = await this.storeState();
    // Partitions wait for the database and resume by themselves: nothing to act on yet.
    if (store === 'unreachable') degraded.push('state store database is unreachable');
    const outbox = this.server.outboxStatus();
    if (outbox?.stuck) problems.push(`outbox: ${outbox.stuck}`);
    // Outputs wait a moment after every commit: only a wait of seconds says something.
    else if (outbox && outbox.oldestAgeMs > 5_000)
      degraded.push(
        `outbox: ${outbox.pending} output(s) waiting, the oldest for ${Math.round(outbox.oldestAgeMs)} ms`,
      );
    const restoring = this.changelogs.restoring();
    for (const { store: name, partition, restored, total } of restoring)
      degraded.push(`store ${name}: partition ${partition} restoring (${restored} of ${total} records)`);
    const sources = this.sources?.status() ?? [];
    for (const source of sources) {
      if (source.state !== 'failed') continue;
      // A scheduled source tries again by itself; a one-off one stays failed until someone acts.
      (source.scheduled ? degraded : problems).push(`source ${source.source} failed: ${source.error ?? ''}`);
    }
    const status = problems.length > 0 ? 'unhealthy' : degraded.length > 0 ? 'degraded' : 'healthy';
    return {
      healthy: status !== 'unhealthy',
      status,
      problems,
      degraded,
      handlers,
      producer,
      store,
      restoring,
      outbox,
      sources,
    };
  }

  private async storeState(): Promise<StreamHealthReport['store']> {
    if (!this.stores.hasStores) return 'none';
    return (await this.stores.ping()) ? 'reachable' : 'unreachable';
  }
}
