import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Counter, Histogram, Registry } from 'prom-client';
import type { OutboxObserver, OutboxStatus } from '../consumer/outbox-status.js';
import type { ProcessingObserver, RecordResult } from '../consumer/processing-observer.js';
import { MissingPromClientError } from '../errors/missing-prom-client.error.js';
import type { PublishObserver } from '../publisher/publish-observer.js';
import type { SourceObserver } from '../sources/source-runner.js';
import { CounterTally } from './counter-tally.js';
import { STREAM_METRICS_REGISTRY } from './metrics.tokens.js';
import { loadPromClient, type PromClient } from './prom-client.js';

const seconds = (ms: number) => ms / 1000;
/** Seconds, from half a millisecond: SQL flushes and commits are usually fast. */
const SECONDS_BUCKETS = [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1];

/** Never provided by samsa: lets a test construct `StreamMetrics` as if prom-client were not installed (`null`). */
const PROM_CLIENT = Symbol('samsa:prom-client');

type LagRow = { group: string; topic: string; partition: number; lag: number };

/** The metrics in a registry: built only when prom-client is installed. */
interface Instruments {
  readonly registry: Registry;
  /** Per-record counts, added up until the counter is read. */
  readonly consumedTally: CounterTally<'topic' | 'handler' | 'result'>;
  readonly handlerDuration: Histogram<'handler'>;
  readonly batchSize: Histogram<'handler'>;
  readonly flushDuration: Histogram<'handler'>;
  readonly commitDuration: Histogram<'handler'>;
  readonly rebalances: Counter<'handler' | 'group'>;
  readonly publishedMessages: Counter<'topic'>;
  readonly restored: Counter<'store' | 'partition'>;
  readonly outputsDeadLetteredTotal: Counter<'topic'>;
  readonly sourceItemsTotal: Counter<'source' | 'sink'>;
}

/**
 * samsa's Prometheus metrics, registered in the injectable registry (`STREAM_METRICS_REGISTRY`,
 * your own when you provide one). Serve them with `registry.metrics()`.
 *
 * prom-client is an optional peer dependency: without it the hooks count nothing, `registry` throws
 * `MissingPromClientError`, and so does the construction when a registry is provided as `STREAM_METRICS_REGISTRY`.
 */
@Injectable()
export class StreamMetrics implements ProcessingObserver, PublishObserver, OutboxObserver, SourceObserver {
  /** `undefined` without prom-client. */
  private readonly instruments?: Instruments;
  private outboxSource?: () => OutboxStatus;
  private lagSource?: () => Promise<LagRow[]>;

  /**
   * `promClient`: the prom-client module, loaded from the application's `node_modules` by default; `null` acts as
   * if it were not installed.
   */
  constructor(
    @Optional() @Inject(STREAM_METRICS_REGISTRY) registry?: Registry,
    @Optional() @Inject(PROM_CLIENT) promClient: PromClient | null = loadPromClient(),
  ) {
    if (promClient === null) {
      if (registry !== undefined) {
        throw new MissingPromClientError('The metrics registry provided as STREAM_METRICS_REGISTRY');
      }
      return;
    }
    this.instruments = createInstruments(
      promClient,
      registry ?? new promClient.Registry(),
      () => this.outboxSource?.(),
      () => this.lagSource?.().catch(() => []) ?? Promise.resolve([]),
    );
  }

  /** The registry holding samsa's metrics. Throws `MissingPromClientError` when prom-client is not installed. */
  get registry(): Registry {
    if (this.instruments === undefined) throw new MissingPromClientError('StreamMetrics.registry');
    return this.instruments.registry;
  }

  /** Where the consumer-lag gauge reads from at scrape time (set by the transport when it starts). */
  setLagSource(source: () => Promise<LagRow[]>): void {
    this.lagSource = source;
  }

  record(handler: string, topic: string, result: RecordResult, durationMs: number, count = 1): void {
    const instruments = this.instruments;
    if (instruments === undefined) return;
    instruments.consumedTally.add(topic, handler, result, count);
    if (result === 'ok' || result === 'retried')
      instruments.handlerDuration.observe({ handler }, seconds(durationMs));
  }

  batch(handler: string, size: number): void {
    this.instruments?.batchSize.observe({ handler }, size);
  }

  flush(handler: string, durationMs: number): void {
    this.instruments?.flushDuration.observe({ handler }, seconds(durationMs));
  }

  commit(handler: string, durationMs: number): void {
    this.instruments?.commitDuration.observe({ handler }, seconds(durationMs));
  }

  rebalance(handler: string, group: string): void {
    this.instruments?.rebalances.inc({ handler, group });
  }

  published(topic: string, count: number): void {
    this.instruments?.publishedMessages.inc({ topic }, count);
  }

  /** Where the outbox gauges read from at scrape time (set by the output relay when it starts). */
  watchOutbox(status: () => OutboxStatus): void {
    this.outboxSource = status;
  }

  outputsDeadLettered(topic: string, count: number): void {
    this.instruments?.outputsDeadLetteredTotal.inc({ topic }, count);
  }

  sourceItems(source: string, sink: string, count: number): void {
    this.instruments?.sourceItemsTotal.inc({ source, sink }, count);
  }

  restore(store: string, partition: number, count: number): void {
    this.instruments?.restored.inc({ store, partition: String(partition) }, count);
  }
}

/** samsa's metrics, registered in `registry`. */
function createInstruments(
  { Counter, Gauge, Histogram }: PromClient,
  registry: Registry,
  readOutbox: () => OutboxStatus | undefined,
  readLag: () => Promise<LagRow[]>,
): Instruments {
  const registers = [registry];
  const consumedTally = new CounterTally<'topic' | 'handler' | 'result'>(['topic', 'handler', 'result']);
  const consumed: Counter<'topic' | 'handler' | 'result'> = new Counter({
    name: 'samsa_consumed_messages_total',
    help: 'Messages consumed, by topic, handler and result (ok, retried, dead-lettered, skipped)',
    labelNames: ['topic', 'handler', 'result'],
    registers,
    collect: () => consumedTally.flushInto(consumed),
  });
  const handlerDuration = new Histogram({
    name: 'samsa_handler_duration_seconds',
    help: 'Time spent in a handler call',
    labelNames: ['handler'],
    buckets: [...SECONDS_BUCKETS, 5],
    registers,
  });
  const batchSize = new Histogram({
    name: 'samsa_batch_size',
    help: 'Records per consumed batch',
    labelNames: ['handler'],
    buckets: [1, 10, 50, 100, 500, 1000, 5000],
    registers,
  });
  const flushDuration = new Histogram({
    name: 'samsa_store_flush_duration_seconds',
    help: 'SQL transaction writing a batch of state with its offsets',
    labelNames: ['handler'],
    buckets: SECONDS_BUCKETS,
    registers,
  });
  const commitDuration = new Histogram({
    name: 'samsa_commit_duration_seconds',
    help: 'Kafka offset commit after a batch',
    labelNames: ['handler'],
    buckets: SECONDS_BUCKETS,
    registers,
  });
  const rebalances = new Counter({
    name: 'samsa_rebalances_total',
    help: 'Partition assignments received',
    labelNames: ['handler', 'group'],
    registers,
  });
  const publishedMessages = new Counter({
    name: 'samsa_published_messages_total',
    help: 'Messages published, by topic',
    labelNames: ['topic'],
    registers,
  });
  const restored = new Counter({
    name: 'samsa_restored_records_total',
    help: 'Changelog records applied while restoring state',
    labelNames: ['store', 'partition'],
    registers,
  });
  const outputsDeadLetteredTotal = new Counter({
    name: 'samsa_outbox_dead_lettered_total',
    help: 'Committed outputs Kafka refused for good, dead-lettered to <topic>.dlq, by output topic',
    labelNames: ['topic'],
    registers,
  });
  const sourceItemsTotal = new Counter({
    name: 'samsa_source_items_total',
    help: 'Items @StreamSource methods handed to their sinks, by source and sink (topic <name> or store <name>)',
    labelNames: ['source', 'sink'],
    registers,
  });
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
  return {
    registry,
    consumedTally,
    handlerDuration,
    batchSize,
    flushDuration,
    commitDuration,
    rebalances,
    publishedMessages,
    restored,
    outputsDeadLetteredTotal,
    sourceItemsTotal,
  };
}
