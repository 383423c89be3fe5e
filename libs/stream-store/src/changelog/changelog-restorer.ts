import { Logger } from '@nestjs/common';
import type { KafkaRecord, StreamAdmin } from '../kafka/kafka-client.interface.js';
import type { RestoredPosition } from '../store/backend/journal-sql.js';
import type { StoreBackend } from '../store/backend/store-backend.interface.js';
import type { StoreSettings } from '../store/store-settings.js';
import { positionId, readChunk, type Fencing } from './restore-chunk.js';
import type { RestoreReader } from './restore-reader.js';

export interface RestoreProgress {
  store: string;
  partition: number;
  restored: number;
  total: number;
}

/**
 * Brings a partition's local state up to its changelogs before the partition is processed: from
 * the local checkpoint (or the log start) to the end, in one SQL transaction per fetched chunk
 * with the new checkpoint and the consumed positions the changes were committed with. Restores
 * share one reader (restores asked for together share its fetches).
 */
export class ChangelogRestorer {
  private readonly logger = new Logger('StateRestore');
  private readonly checks = new Map<number, Promise<void>>();
  /** The last restore of each partition, running or done: the next one waits for it. */
  private readonly last = new Map<number, Promise<void>>();
  private readonly active = new Map<string, RestoreProgress>();
  /** Newest assignment epoch seen per consumed partition, across restores of this process. */
  private readonly epochs = new Map<string, number>();

  constructor(
    private readonly admin: StreamAdmin,
    private readonly reader: RestoreReader,
    private readonly database: () => Promise<StoreBackend>,
    private readonly topicOf: (store: string) => string,
    private readonly onRestored: (store: string, partition: number, count: number) => void,
  ) {}

  /** Restores partition `partition` of every changelog store once per assignment. */
  ensure(partition: number, stores: readonly StoreSettings[]): Promise<void> {
    let check = this.checks.get(partition);
    if (!check) {
      // Two restores of one partition at once would apply older records after newer ones; the
      // previous one's failure was its own caller's to handle.
      const previous = this.last.get(partition) ?? Promise.resolve();
      check = previous.catch(() => undefined).then(() => this.restorePartition(partition, stores));
      check.catch(() => this.checks.delete(partition));
      this.checks.set(partition, check);
      this.last.set(partition, check);
    }
    return check;
  }

  /** This process wrote changes under `epoch`: older records of that partition are a zombie's. */
  noteEpoch(position: RestoredPosition, epoch: number): void {
    const id = positionId(position);
    if (epoch > (this.epochs.get(id) ?? 0)) this.epochs.set(id, epoch);
  }

  /** After a rebalance: check again, another instance may have moved the changelogs on. */
  forget(): void {
    this.checks.clear();
  }

  progress(): RestoreProgress[] {
    return [...this.active.values()].map((progress) => ({ ...progress }));
  }

  close(): Promise<void> {
    return this.reader.close();
  }

  private async restorePartition(partition: number, stores: readonly StoreSettings[]): Promise<void> {
    const existing = new Set(await this.admin.listTopics());
    const topics = stores.map((store) => this.topicOf(store.name)).filter((topic) => existing.has(topic));
    await Promise.all(
      stores
        .filter((store) => existing.has(this.topicOf(store.name)))
        .map((store) => this.restore(store.name, partition, topics)),
    );
  }

  /** `topics`: the changelogs that exist, all read through the reader a first restore opens. */
  private async restore(store: string, partition: number, topics: readonly string[]): Promise<void> {
    const topic = this.topicOf(store);
    const end = (await this.admin.fetchTopicOffsets(topic)).find(
      (offsets) => offsets.partition === partition,
    );
    if (!end) return;
    const backend = await this.database();
    const from = (await backend.checkpoint(store, partition)) ?? end.low;
    if (BigInt(from) >= BigInt(end.high)) return;
    const progress = { store, partition, restored: 0, total: Number(BigInt(end.high) - BigInt(from)) };
    this.active.set(`${store}:${partition}`, progress);
    const started = performance.now();
    this.logger.log(`Restoring ${store}[${partition}] from ${topic} offsets ${from}..${end.high}`);
    const fencing: Fencing = { epochs: this.epochs, skipping: false };
    try {
      await this.reader.read(topics, { topic, partition, from, end: end.high }, async (records) => {
        await this.apply(backend, store, partition, records, fencing);
        progress.restored += records.length;
        this.onRestored(store, partition, records.length);
      });
    } finally {
      this.active.delete(`${store}:${partition}`);
    }
    const seconds = (performance.now() - started) / 1000;
    this.logger.log(
      `Restored ${store}[${partition}]: ${progress.restored} records in ${seconds.toFixed(1)} s`,
    );
  }

  /** One chunk: the latest change per key, the checkpoint past it, and the furthest positions seen. */
  private async apply(
    backend: StoreBackend,
    store: string,
    partition: number,
    records: KafkaRecord[],
    fencing: Fencing,
  ): Promise<void> {
    const { upserts, deletes, positions } = readChunk(records, fencing);
    const last = records[records.length - 1];
    await backend.restore(
      { store, partition, upserts, deletes },
      { store, partition, offset: (BigInt(last.offset) + 1n).toString() },
      positions,
    );
  }
}
