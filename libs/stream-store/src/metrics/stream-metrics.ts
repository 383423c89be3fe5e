import { Inject, Injectable, Optional } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { OutboxObserver, OutboxStatus } from '../consumer/outbox-status.js';
import type { ProcessingObserver, RecordResult } from '../consumer/processing-observer.js';
import type { PublishObserver } from '../publisher/publish-observer.js';
import type { SourceObserver } from '../sources/source-runner.js';
import { CounterTally } from './counter-tally.js';
import { STREAM_METRICS_REGISTRY } from './metrics.tokens.js';

const seconds = (ms: number) => ms / 1000;
/** Seconds, from half a millisecond: SQL flushes and commits are usually fast. */
const SECONDS_BUCKETS = [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1];

/**
 * samsa's Prometheus metrics, registered in the injectable registry (`STREAM_METRICS_REGISTRY`,
 * your own when you provide one). Serve them with `registry.metrics()`.
 */
@Injectable()
export class StreamMetrics implements ProcessingObserver, PublishObserver, OutboxObserver, SourceObserver {
  readonly registry: Registry;
  private readonly consumed: Counter<'topic' | 'handler' | 'result'>;
  /** Per-record counts, added up until the counter is read. */
  private readonly consumedTally = new CounterTally<'topic' | 'handler' | 'result'>([
    'topic',
    'handler',
    'result',
  ]);
  private readonly handlerDuration: Histogram<'handler'>;
  private readonly batchSize: Histogram<'handler'>;
  private readonly flushDuration: Histogram<'handler'>;
  private readonly commitDuration: Histogram<'handler'>;
  private readonly rebalances: Counter<'handler' | 'group'>;
  private readonly publishedMessages: Counter<'topic'>;
  private readonly restored: Counter<'store' | 'partition'>;
  private readonly outputsDeadLetteredTotal: Counter<'topic'>;
  private readonly sourceItemsTotal: Counter<'source' | 'sink'>;
  private outboxSource?: () => OutboxStatus;
  private lagSource?: () => Promise<Array<{ group: string; topic: string; partition: number; lag: number }>>;

  constructor(@Optional() @Inject(STREAM_METRICS_REGISTRY) registry?: Registry) {
    this.registry = registry ?? new Registry();
    const registers = [this.registry];
    this.consumed = new Counter({
      name: 'samsa_consumed_messages_total',
      help: 'Messages consumed, by topic, handler and result (ok, retried, dead-lettered, skipped)',
      labelNames: ['topic', 'handler', 'result'],
      registers,
      collect: () => this.consumedTally.flushInto(this.consumed),
    });
    this.handlerDuration = new Histogram({
      name: 'samsa_handler_duration_seconds',
      help: 'Time spent in a handler call',
      labelNames: ['handler'],
      buckets: [...SECONDS_BUCKETS, 5],
      registers,
    });
    this.batchSize = new Histogram({
      name: 'samsa_batch_size',
      help: 'Records per consumed batch',
      labelNames: ['handler'],
      buckets: [1, 10, 50, 100, 500, 1000, 5000],
      registers,
    });
    this.flushDuration = new Histogram({
      name: 'samsa_store_flush_duration_seconds',
      help: 'SQL transaction writing a batch of state with its offsets',
      labelNames: ['handler'],
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.commitDuration = new Histogram({
      name: 'samsa_commit_duration_seconds',
      help: 'Kafka offset commit after a batch',
      labelNames: ['handler'],
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.rebalances = new Counter({
      name: 'samsa_rebalances_total',
      help: 'Partition assignments received',
      labelNames: ['handler', 'group'],
      registers,
    });
    this.publishedMessages = new Counter({
      name: 'samsa_published_messages_total',
      help: 'Messages published, by topic',
      labelNames: ['topic'],
      registers,
    });
    this.restored = new Counter({
      name: 'samsa_restored_records_total',
      help: 'Changelog records applied while restoring state',
      labelNames: ['store', 'partition'],
      registers,
    });
    this.outputsDeadLetteredTotal = new Counter({
      name: 'samsa_outbox_dead_lettered_total',
      help: 'Committed outputs Kafka refused for good, dead-lettered to <topic>.dlq, by output topic',
      labelNames: ['topic'],
      registers,
    });
    this.sourceItemsTotal = new Counter({
      name: 'samsa_source_items_total',
      help: 'Items @StreamSource methods handed to their sinks, by source and sink (topic <name> or store <name>)',
      labelNames: ['source', 'sink'],
      registers,
    });
    const readOutbox = () => this.outboxSource?.();
    new Gauge({
      name: 'samsa_outbox_pending',
      help: 'Committed outputs waiting in samsa_outbox to be produced',
      registers,
      collect() {
        this.set(readOutbox()?.pending ?? 0);
      },
    });
    new Gauge({
      name: 'samsa_outbox_oldest_age_seconds',
      help: 'How long the oldest output waiting in samsa_outbox has waited since its batch committed',
      registers,
      collect() {
        this.set(seconds(readOutbox()?.oldestAgeMs ?? 0));
      },
    });
    new Gauge({
      name: 'samsa_outbox_stuck',
      help: '1 while outputs wait and none was produced for too long (health is then unhealthy), else 0',
      registers,
      collect() {
        this.set(readOutbox()?.stuck === undefined ? 0 : 1);
      },
    });
    const readLag = () => this.lagSource?.().catch(() => []) ?? Promise.resolve([]);
    new Gauge({
      name: 'samsa_consumer_lag',
      help: 'Records not yet consumed, per group and partition (read at scrape time)',
      labelNames: ['group', 'topic', 'partition'],
      registers,
      async collect() {
        this.reset();
        for (const { group, topic, partition, lag } of await readLag()) {
          this.set({ group, topic, partition: String(partition) }, lag);
        }
      },
    });
  }

  /** Where the consumer-lag gauge reads from at scrape time (set by the transport when it starts). */
  setLagSource(
    source: () => Promise<Array<{ group: string; topic: string; partition: number; lag: number }>>,
  ): void {
    this.lagSource = source;
  }

  record(handler: string, topic: string, result: RecordResult, durationMs: number, count = 1): void {
    this.consumedTally.add(topic, handler, result, count);
    if (result === 'ok' || result === 'retried')
      this.handlerDuration.observe({ handler }, seconds(durationMs));
  }

  batch(handler: string, size: number): void {
    this.batchSize.observe({ handler }, size);
  }

  flush(handler: string, durationMs: number): void {
    this.flushDuration.observe({ handler }, seconds(durationMs));
  }

  commit(handler: string, durationMs: number): void {
    this.commitDuration.observe({ handler }, seconds(durationMs));
  }

  rebalance(handler: string, group: string): void {
    this.rebalances.inc({ handler, group });
  }

  published(topic: string, count: number): void {
    this.publishedMessages.inc({ topic }, count);
  }

  /** Where the outbox gauges read from at scrape time (set by the output relay when it starts). */
  watchOutbox(status: () => OutboxStatus): void {
    this.outboxSource = status;
  }

  outputsDeadLettered(topic: string, count: number): void {
    this.outputsDeadLetteredTotal.inc({ topic }, count);
  }

  sourceItems(source: string, sink: string, count: number): void {
    this.sourceItemsTotal.inc({ source, sink }, count);
  }

  restore(store: string, partition: number, count: number): void {
    this.restored.inc({ store, partition: String(partition) }, count);
  }
}
