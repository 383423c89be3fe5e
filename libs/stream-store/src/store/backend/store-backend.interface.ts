import type { TopicPartition } from '../../kafka/kafka-client.interface.js';
import type { KeyRange } from '../keys.js';
import type { Checkpoint, OutboxRow, RestoredPosition } from './journal-sql.js';

/** A value as stored: JSON text, and when it expires in ms since the epoch (null: never). */
export interface StoredValue {
  readonly value: string;
  readonly expiresAt: number | null;
}

export interface StoredEntry extends StoredValue {
  readonly key: string;
}

/** What a batch commits besides state: outputs for the outbox, changelog checkpoints. */
export interface CommitJournal {
  readonly outbox: readonly OutboxRow[];
  readonly checkpoints: readonly Checkpoint[];
}

/** Writes to one store, from one input partition (-1 when written outside handlers). */
export interface StoreChanges {
  readonly store: string;
  readonly partition: number;
  readonly upserts: readonly StoredEntry[];
  readonly deletes: readonly string[];
}

export interface ScanRequest {
  readonly range: KeyRange;
  readonly reverse: boolean;
  readonly limit: number;
}

/** A key whose time to live ran out, with the partition its changelog tombstone belongs to. */
export interface ExpiredKey {
  readonly store: string;
  readonly key: string;
  readonly partition: number;
}

/**
 * What state stores need from a database: SQLite or Postgres behind a TypeORM DataSource. Reads
 * skip expired rows (`now` in ms since the epoch); each write method is one transaction.
 */
export interface StoreBackend {
  /**
   * Creates samsa's tables when missing, with plain `CREATE TABLE IF NOT EXISTS` rather than
   * TypeORM entities: they stay out of the application's entity metadata, `synchronize` and
   * migrations (a reused DataSource never sees them), and the hot path is hand-written SQL anyway.
   */
  createTables(): Promise<void>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /** The live keys among `keys`, with their values (JSON text) and expiry. */
  read(store: string, keys: readonly string[], now: number): Promise<Map<string, StoredValue>>;
  /** Live entries in key order (byte order of UTF-8), at most `limit`. */
  scan(store: string, request: ScanRequest, now: number): Promise<Array<[key: string, value: string]>>;
  count(store: string, now: number): Promise<number>;
  write(changes: StoreChanges): Promise<void>;
  /** Deletes a key; resolves true when it was live. */
  remove(store: string, key: string, now: number): Promise<boolean>;
  /**
   * Reads a key, computes its next value (undefined: delete) and writes it, with the row locked
   * throughout. `next` may run more than once if a concurrent update creates the key first.
   */
  update(
    store: string,
    key: string,
    partition: number,
    now: number,
    next: (current: string | undefined) => StoredValue | undefined,
  ): Promise<void>;
  clear(store: string): Promise<void>;
  /** The offset stored for a consumer group's partition. */
  position(group: string, partition: TopicPartition): Promise<string | undefined>;
  /**
   * One transaction: moves the offsets row from `from` (undefined: no row yet) to `to`, then
   * applies `changes` and the journal. Resolves false, with nothing written, when the row did not
   * hold `from`.
   */
  commit(
    group: string,
    partition: TopicPartition,
    from: string | undefined,
    to: string,
    changes: readonly StoreChanges[],
    journal: CommitJournal,
  ): Promise<boolean>;
  /** Outbox rows not yet produced, oldest first. */
  pendingOutbox(limit: number): Promise<OutboxRow[]>;
  deleteOutbox(ids: readonly string[]): Promise<void>;
  /** How many outbox rows are waiting. */
  countOutbox(): Promise<number>;
  /** The changelog offset a store's local state reached for a partition. */
  checkpoint(store: string, partition: number): Promise<string | undefined>;
  /** One transaction: changelog records applied, the checkpoint moved, group positions moved forward. */
  restore(
    changes: StoreChanges,
    checkpoint: Checkpoint,
    positions: readonly RestoredPosition[],
  ): Promise<void>;
  /**
   * Per-instance state (SQLite): the positions a changelog position record now stands for. A
   * shared database (Postgres) needs none of the three: each commit is seen by every instance.
   */
  vouch(positions: readonly RestoredPosition[]): Promise<void>;
  /** Offsets rows of a partition number ahead of what the changelogs vouch for (see `vouch`). */
  unvouched(partition: number): Promise<RestoredPosition[]>;
  /** Forgets a partition number's state in `stores` and the positions of `groups`, to rebuild them. */
  forgetPartition(partition: number, stores: readonly string[], groups: readonly string[]): Promise<void>;
  /** Deletes the rows expired at `now`, returning their keys. */
  deleteExpired(now: number): Promise<ExpiredKey[]>;
  /** Keys of one partition expired at `now`, at most `limit`. */
  expiredKeys(partition: number, now: number, limit: number): Promise<ExpiredKey[]>;
  /** Deletes those of `keys` still expired at `now` (a key set again meanwhile stays). */
  deleteExpiredKeys(store: string, keys: readonly string[], now: number): Promise<void>;
  /** Deletes the expired rows no changelog has: of stores not in `logged`, or of partition -1. */
  deleteUnlogged(now: number, logged: readonly string[]): Promise<number>;
}
