import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { STREAM_STORE_OPTIONS } from '../constants.js';
import { KafkaConnections } from '../kafka/kafka-connections.js';
import type { TopicPartition } from '../kafka/kafka-client.interface.js';
import { StreamMetrics } from '../metrics/stream-metrics.js';
import type { ResolvedStreamStoreOptions } from '../options/resolve-options.js';
import { TopicManager } from '../publisher/topic-manager.js';
import { StoreRuntime } from '../store/store-runtime.js';
import type { UnitOfWork } from '../store/unit-of-work.js';
import { changelogTopic } from './changelog-naming.js';
import { ChangelogRestorer, type RestoreProgress } from './changelog-restorer.js';
import { type ChangelogWrite, ChangelogWriter } from './changelog-writer.js';
import { RestoreReader } from './restore-reader.js';
import { OwnedPartitions } from './owned-partitions.js';
import { TtlSweeper } from './ttl-sweeper.js';

const COMPACTED = { 'cleanup.policy': 'compact' };
/** A record batch must fit both: the broker refuses larger ones (MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE). */
const RECORD_LIMITS = ['max.message.bytes', 'segment.bytes'];
/** How often expired keys are deleted and tombstoned, at most; shorter TTLs sweep more often. */
const MAX_SWEEP_INTERVAL_MS = 60_000;

/**
 * Changelog topics of the state stores (on by default with SQLite): written before each batch's
 * SQL commit, restored from on assignment, tombstoned when keys expire.
 */
@Injectable()
export class Changelogs implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly writer: ChangelogWriter;
  private readonly restorer: ChangelogRestorer;
  private readonly sweeper: TtlSweeper;
  private readonly owned = new OwnedPartitions();
  private readonly logger = new Logger('StateStores');

  constructor(
    @Inject(STREAM_STORE_OPTIONS) private readonly options: ResolvedStreamStoreOptions,
    private readonly stores: StoreRuntime,
    private readonly kafka: KafkaConnections,
    private readonly topics: TopicManager,
    metrics: StreamMetrics,
  ) {
    const topicOf = (store: string) => changelogTopic(options.topicPrefix, options.appId, store);
    this.writer = new ChangelogWriter(kafka.producer, kafka.admin, topics, topicOf);
    this.restorer = new ChangelogRestorer(
      kafka.admin,
      new RestoreReader(() => kafka.client.reader()),
      () => stores.journal(),
      topicOf,
      (store, partition, count) => metrics.restore(store, partition, count),
    );
    this.sweeper = new TtlSweeper(
      stores,
      kafka.producer,
      topicOf,
      (topic, partition) => topics.ensure(topic, { partitions: partition + 1, config: COMPACTED }),
      this.owned,
    );
  }

  get enabled(): boolean {
    return this.stores.changelogStores().length > 0;
  }

  /**
   * Reads the changelog topics' record size limits (in the background: until then, the broker
   * default applies), and starts the TTL sweeper when a store has a TTL: every half TTL, between
   * 1 s and 60 s.
   */
  onApplicationBootstrap(): void {
    if (this.enabled) void this.readRecordLimits();
    const ttls = this.stores.ttls();
    if (ttls.length === 0) return;
    this.sweeper.start(Math.max(1_000, Math.min(MAX_SWEEP_INTERVAL_MS, ...ttls.map((ttl) => ttl / 2))));
  }

  /**
   * Produces the batch's changes (it consumed `offsets.from` up to `offsets.to`); the checkpoints go
   * into the batch's SQL commit, `confirm()` follows it. `assignedAt`: when the batch's partition was
   * assigned (wall-clock ms), the base of its fencing epoch.
   */
  async write(
    work: UnitOfWork,
    group: string,
    input: TopicPartition,
    offsets: { from: string | undefined; to: string },
    assignedAt: number,
  ): Promise<ChangelogWrite> {
    const nextOffset = offsets.to;
    const stores = this.stores.changelogStores();
    if (stores.length === 0)
      return { checkpoints: [], confirm: () => Promise.resolve(), defer: () => undefined };
    const position = { group, topic: input.topic, partition: input.partition, offset: nextOffset };
    const epoch = this.restorer.writeEpoch(position, assignedAt);
    this.restorer.noteEpoch(position, epoch);
    // Waits for a TTL sweep of the partition: its tombstones must not follow this batch's values.
    await this.owned.write(work.partition, position, epoch);
    const journal = await this.stores.journal();
    return this.writer.write(work, stores, { position, from: offsets.from, epoch }, journal);
  }

  /** Restores partition `partition` of every changelog store before it is processed. */
  restore(partition: number): Promise<void> {
    const stores = this.stores.changelogStores();
    return stores.length === 0 ? Promise.resolve() : this.restorer.ensure(partition, stores);
  }

  /** A rebalance happened: the next batches check their partitions' changelogs again. */
  reassigned(): void {
    this.restorer.forget();
    this.owned.forget();
  }

  restoring(): RestoreProgress[] {
    return this.restorer.progress();
  }

  /** Deletes expired keys and tombstones them now (also runs periodically). */
  sweepExpired(): Promise<void> {
    return this.sweeper.sweep();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sweeper.stop();
    await this.restorer.close();
  }

  /** Changelog topics that set `max.message.bytes` or `segment.bytes` limit their stores' values to them. */
  private async readRecordLimits(): Promise<void> {
    const stores = this.stores.changelogStores().map((store) => store.name);
    try {
      await this.kafka.connect();
      const existing = new Set(await this.kafka.admin.listTopics());
      const topics = stores.map((store) => this.topicOf(store)).filter((topic) => existing.has(topic));
      const configs = await this.kafka.admin.describeTopicConfigs(topics, RECORD_LIMITS);
      for (const store of stores) {
        const set = configs.get(this.topicOf(store)) ?? {};
        const limits = RECORD_LIMITS.map((name) => Number(set[name])).filter(
          (bytes) => Number.isSafeInteger(bytes) && bytes > 0,
        );
        if (limits.length > 0) this.stores.setMaxMessageBytes(store, Math.min(...limits));
      }
    } catch (error) {
      this.logger.warn(
        `Could not read the changelog topics' record limits (${String(error)}): ` +
          'state values are limited by the broker default (1 MiB).',
      );
    }
  }

  /** The changelog topic of a store. */
  topicOf(store: string): string {
    return changelogTopic(this.options.topicPrefix, this.options.appId, store);
  }

  /** Creates a store's changelog topic ahead of its first write (e.g. to read it in tests). */
  ensureTopic(store: string, partitions: number): Promise<void> {
    return this.topics.ensure(this.topicOf(store), { partitions, config: COMPACTED });
  }
}
