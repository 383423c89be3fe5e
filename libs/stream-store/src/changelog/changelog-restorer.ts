import { Logger } from '@nestjs/common';
import type { KafkaRecord, StreamAdmin } from '../kafka/kafka-client.interface.js';
import type { RestoredPosition } from '../store/backend/journal-sql.js';
import type { StoreBackend } from '../store/backend/store-backend.interface.js';
import type { StoreSettings } from '../store/store-settings.js';
import { positionId } from './changelog-position.js';
import { readChunk, startFencing, type Fencing } from './restore-chunk.js';
import type { RestoreReader } from './restore-reader.js';

/** A restore under way, for health: how far it got through the changelog offsets it has to read. */
export interface RestoreProgress {
  store: string;
  partition: number;
  /** Changelog offsets read so far (from the checkpoint the restore started at). */
  restored: number;
  /** Changelog offsets to read in all; compaction leaves fewer records than offsets. */
  total: number;
  /** Records applied so far. */
  records: number;
}

/**
 * At most this many records per SQL transaction (and the checkpoint moves with each): a restore
 * killed midway goes on from its last transaction, and no transaction holds SQLite's write lock
 * long. A fetch brings at most 1 MiB per partition, so transactions stay a few MB at most.
 */
export const RESTORE_RECORDS_PER_TRANSACTION = 5_000;

/**
 * Brings a partition's local state up to its changelogs before the partition is processed: from
 * the local checkpoint (or the log start) to the end, in bounded SQL transactions, each with the
 * new checkpoint and the consumed positions the changes were committed with. Restores share one
 * reader (restores asked for together share its fetches).
 */
export class ChangelogRestorer {
  private readonly logger = new Logger('StateRestore');
  private readonly checks = new Map<number, Promise<void>>();
  /** The last restore of each partition, running or done: the next one waits for it. */
  private readonly last = new Map<number, Promise<void>>();
  private readonly active = new Map<string, RestoreProgress>();
  /** Epochs this process wrote under, per consumed partition: older records in any changelog are a zombie's. */
  private readonly ownEpochs = new Map<string, number>();
  /**
   * Newest epoch seen per consumed partition, per changelog partition read: fencing is about the
   * order of one log, so what one changelog says never fences another (their writes interleave
   * differently, and restores of different stores run at once).
   */
  private readonly seenEpochs = new Map<string, Map<string, number>>();
  /** Partition numbers checked for batches committed here but never confirmed in the changelogs. */
  private readonly aheadChecked = new Set<number>();
  /** The epoch each consumed partition is written under, for the assignment it was fixed in. */
  private readonly writeEpochs = new Map<string, { assignedAt: number; epoch: number }>();

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
  noteEpoch(position: Omit<RestoredPosition, 'offset'>, epoch: number): void {
    raise(this.ownEpochs, positionId(position), epoch);
  }

  /**
   * The epoch this process writes `position`'s partition under in the assignment that began at
   * `assignedAt` (wall-clock ms): that, or just past every epoch read for the partition so far if
   * this host's clock is behind another's — else the new owner's records would look older than the
   * previous owner's and be skipped as a zombie's. Fixed for the assignment.
   */
  writeEpoch(position: Omit<RestoredPosition, 'offset'>, assignedAt: number): number {
    const id = positionId(position);
    const fixed = this.writeEpochs.get(id);
    if (fixed?.assignedAt === assignedAt) return fixed.epoch;
    let newest = this.ownEpochs.get(id) ?? 0;
    for (const epochs of this.seenEpochs.values()) newest = Math.max(newest, epochs.get(id) ?? 0);
    const epoch = Math.max(assignedAt, newest + 1);
    this.writeEpochs.set(id, { assignedAt, epoch });
    return epoch;
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
    // Once per process, at the partition number's first restore: no handler of this process has
    // written to it yet, so what is ahead was left by an earlier one.
    if (!this.aheadChecked.has(partition)) {
      await this.forgetIfAhead(partition, stores);
      this.aheadChecked.add(partition);
    }
    const existing = new Set(await this.admin.listTopics());
    const topics = stores.map((store) => this.topicOf(store.name)).filter((topic) => existing.has(topic));
    await Promise.all(
      stores
        .filter((store) => existing.has(this.topicOf(store.name)))
        .map((store) => this.restore(store.name, partition, topics)),
    );
  }

  /**
   * Batches committed in this file whose position records never reached the changelogs (the
   * process stopped in between) were handled again by whoever took the partition over: restores
   * elsewhere dropped them. The file's state of the partition number is then not the changelogs':
   * it is forgotten and restored whole (as Kafka Streams wipes a task's dirty store).
   */
  private async forgetIfAhead(partition: number, stores: readonly StoreSettings[]): Promise<void> {
    const backend = await this.database();
    const ahead = await backend.unvouched(partition);
    if (ahead.length === 0) return;
    const names = ahead.map(({ group, topic, offset }) => `${topic}[${partition}]@${offset} of ${group}`);
    this.logger.warn(
      `Partition ${partition}: ${names.join(', ')} committed here, never confirmed in the changelogs ` +
        '(the process stopped in between); its state is rebuilt from the changelogs',
    );
    const groups = [...new Set(ahead.map(({ group }) => group))];
    await backend.forgetPartition(
      partition,
      stores.map((store) => store.name),
      groups,
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
    const progress = {
      store,
      partition,
      restored: 0,
      total: Number(BigInt(end.high) - BigInt(from)),
      records: 0,
    };
    this.active.set(`${store}:${partition}`, progress);
    const started = performance.now();
    this.logger.log(`Restoring ${store}[${partition}] from ${topic} offsets ${from}..${end.high}`);
    const fencing = startFencing(this.epochsOf(topic, partition));
    try {
      await this.reader.read(topics, { topic, partition, from, end: end.high }, async (fetched) => {
        for (let start = 0; start < fetched.length; start += RESTORE_RECORDS_PER_TRANSACTION) {
          const records = fetched.slice(start, start + RESTORE_RECORDS_PER_TRANSACTION);
          const next = await this.apply(backend, store, partition, records, fencing);
          progress.restored = Number(next - BigInt(from));
          progress.records += records.length;
          this.onRestored(store, partition, records.length);
        }
      });
    } finally {
      this.active.delete(`${store}:${partition}`);
    }
    const seconds = (performance.now() - started) / 1000;
    this.logger.log(
      `Restored ${store}[${partition}]: ${progress.records} records in ${seconds.toFixed(1)} s`,
    );
  }

  /** What fences a changelog partition's records: its own epochs read so far, at least this process's. */
  private epochsOf(topic: string, partition: number): Map<string, number> {
    const key = `${topic}\u0000${partition}`;
    let epochs = this.seenEpochs.get(key);
    if (!epochs) this.seenEpochs.set(key, (epochs = new Map()));
    for (const [id, epoch] of this.ownEpochs) raise(epochs, id, epoch);
    return epochs;
  }

  /**
   * One transaction: the latest change per key, the checkpoint past the records (or at the oldest
   * batch still held), and the furthest positions seen. Resolves with the offset read up to.
   */
  private async apply(
    backend: StoreBackend,
    store: string,
    partition: number,
    records: KafkaRecord[],
    fencing: Fencing,
  ): Promise<bigint> {
    const { upserts, deletes, positions } = readChunk(records, fencing);
    const next = BigInt(records[records.length - 1].offset) + 1n;
    // Never past a batch still held (the next restore must read it again to apply or drop it),
    // nor inside a zombie's chunk being skipped (its rest carries no header to skip it by).
    let checkpoint = next;
    const held = fencing.pending.oldest();
    if (held !== undefined && held < checkpoint) checkpoint = held;
    if (fencing.skipUntil > next && fencing.skipFrom < checkpoint) checkpoint = fencing.skipFrom;
    await backend.restore(
      { store, partition, upserts, deletes },
      { store, partition, offset: checkpoint.toString() },
      positions,
    );
    return next;
  }
}

function raise(epochs: Map<string, number>, id: string, epoch: number): void {
  if (epoch > (epochs.get(id) ?? 0)) epochs.set(id, epoch);
}
