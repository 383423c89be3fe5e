import { Logger } from '@nestjs/common';
import type { KafkaRecord, StreamAdmin, StreamReader } from '../kafka/kafka-client.interface.js';
import type { RestoredPosition } from '../store/backend/journal-sql.js';
import type { StoreBackend, StoredEntry } from '../store/backend/store-backend.interface.js';
import type { StoreSettings } from '../store/store-settings.js';
import { CHANGELOG_HEADERS } from './changelog-naming.js';

export interface RestoreProgress {
  store: string;
  partition: number;
  restored: number;
  total: number;
}

/**
 * Brings a partition's local state up to its changelogs before the partition is processed: from
 * the local checkpoint (or the log start) to the end, in one SQL transaction per fetched chunk
 * with the new checkpoint and the consumed positions the changes were committed with.
 */
export class ChangelogRestorer {
  private readonly logger = new Logger('StateRestore');
  private readonly checks = new Map<number, Promise<void>>();
  private readonly active = new Map<string, RestoreProgress>();
  /** Newest assignment epoch seen per consumed partition, across restores of this process. */
  private readonly epochs = new Map<string, number>();

  constructor(
    private readonly admin: StreamAdmin,
    private readonly reader: () => StreamReader,
    private readonly database: () => Promise<StoreBackend>,
    private readonly topicOf: (store: string) => string,
    private readonly onRestored: (store: string, partition: number, count: number) => void,
  ) {}

  /** Restores partition `partition` of every changelog store once per assignment. */
  ensure(partition: number, stores: readonly StoreSettings[]): Promise<void> {
    let check = this.checks.get(partition);
    if (!check) {
      check = Promise.all(stores.map((store) => this.restore(store.name, partition))).then(() => undefined);
      check.catch(() => this.checks.delete(partition));
      this.checks.set(partition, check);
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

  private async restore(store: string, partition: number): Promise<void> {
    const topic = this.topicOf(store);
    if (!(await this.admin.listTopics()).includes(topic)) return;
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
    try {
      await this.reader().readToEnd(
        topic,
        { partitions: [partition], from: new Map([[partition, from]]) },
        async (records) => {
          await this.apply(backend, store, partition, records);
          progress.restored += records.length;
          this.onRestored(store, partition, records.length);
        },
      );
    } finally {
      this.active.delete(`${store}:${partition}`);
    }
    const seconds = (performance.now() - started) / 1000;
    this.logger.log(
      `Restored ${store}[${partition}]: ${progress.restored} records in ${seconds.toFixed(1)} s`,
    );
  }

  /**
   * One chunk: the latest change per key, the checkpoint past it, and the furthest positions seen.
   * Records inherit the position and epoch of the last record that carried them; records of an
   * epoch older than one already seen for their partition come from a zombie and are skipped.
   */
  private async apply(
    backend: StoreBackend,
    store: string,
    partition: number,
    records: KafkaRecord[],
  ): Promise<void> {
    const latest = new Map<string, KafkaRecord>();
    const positions = new Map<string, RestoredPosition>();
    let skipping = false;
    for (const record of records) {
      const position = positionOf(record);
      if (position) {
        const id = positionId(position);
        const epoch = Number(header(record, CHANGELOG_HEADERS.epoch) ?? 0);
        skipping = epoch < (this.epochs.get(id) ?? 0);
        if (!skipping) {
          this.epochs.set(id, epoch);
          positions.set(id, position);
        }
      }
      if (!skipping && record.key) latest.set(record.key.toString(), record);
    }
    const upserts: StoredEntry[] = [];
    const deletes: string[] = [];
    for (const [key, record] of latest) {
      if (record.value === null) deletes.push(key);
      else upserts.push({ key, value: record.value.toString(), expiresAt: expiresAt(record) });
    }
    const last = records[records.length - 1];
    await backend.restore(
      { store, partition, upserts, deletes },
      { store, partition, offset: (BigInt(last.offset) + 1n).toString() },
      [...positions.values()],
    );
  }
}

function positionId({ group, topic, partition }: RestoredPosition): string {
  return `${group}\u0000${topic}\u0000${partition}`;
}

function header(record: KafkaRecord, name: string): string | undefined {
  return record.headers[name]?.toString();
}

function positionOf(record: KafkaRecord): RestoredPosition | undefined {
  const [group, topic, partition, offset] = [
    CHANGELOG_HEADERS.group,
    CHANGELOG_HEADERS.topic,
    CHANGELOG_HEADERS.partition,
    CHANGELOG_HEADERS.offset,
  ].map((name) => header(record, name));
  if (!group || !topic || partition === undefined || offset === undefined) return undefined;
  return { group, topic, partition: Number(partition), offset };
}

function expiresAt(record: KafkaRecord): number | null {
  const value = header(record, CHANGELOG_HEADERS.expiresAt);
  return value === undefined ? null : Number(value);
}
