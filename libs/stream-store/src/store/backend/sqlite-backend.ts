import type BetterSqlite3 from 'better-sqlite3';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import type { TopicPartition } from '../../kafka/kafka-client.interface.js';
import { shaped, StateSql, type SqlStatement } from './state-sql.js';
import { JournalSql, type Checkpoint, type OutboxRow, type RestoredPosition } from './journal-sql.js';
import * as vouched from './sqlite-vouched.js';
import type {
  CommitJournal,
  ExpiredKey,
  ScanRequest,
  StoreBackend,
  StoreChanges,
  StoredValue,
} from './store-backend.interface.js';

type Statement = BetterSqlite3.Statement<unknown[]>;
type Entry = { key: string; value: string };
/** `key`, `value`, `expires_at` of a `select()`, as an array: no object per row. */
type StateRow = [key: string, value: string, expiresAt: number | null];

const vouchFor = ({ group, topic, partition, offset }: RestoredPosition) =>
  vouched.vouch(group, topic, partition, BigInt(offset));

// 5 parameters a row, far below SQLite's 32 766; powers of two so few statement shapes stay prepared.
const ROWS_PER_STATEMENT = 256;
const KEYS_PER_STATEMENT = 512;

// WITHOUT ROWID: the primary key is the table, no second b-tree. The default BINARY collation
// orders keys by their UTF-8 bytes. Offsets are 64-bit INTEGERs read back as BigInt.
const TABLES = `
CREATE TABLE IF NOT EXISTS "samsa_state" (
  "store" TEXT NOT NULL, "key" TEXT NOT NULL, "partition" INTEGER NOT NULL, "value" TEXT NOT NULL,
  "expires_at" INTEGER, PRIMARY KEY ("store", "key")) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS "samsa_state_expires_at" ON "samsa_state" ("expires_at") WHERE "expires_at" IS NOT NULL;
CREATE TABLE IF NOT EXISTS "samsa_offsets" (
  "group" TEXT NOT NULL, "topic" TEXT NOT NULL, "partition" INTEGER NOT NULL, "next_offset" INTEGER NOT NULL,
  PRIMARY KEY ("group", "topic", "partition")) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS "samsa_outbox" (
  "seq" INTEGER PRIMARY KEY AUTOINCREMENT, "id" TEXT NOT NULL UNIQUE, "record" TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS "samsa_checkpoints" (
  "store" TEXT NOT NULL, "partition" INTEGER NOT NULL, "next_offset" INTEGER NOT NULL,
  PRIMARY KEY ("store", "partition")) WITHOUT ROWID;
`;

/**
 * SQLite through the better-sqlite3 connection of a TypeORM DataSource. better-sqlite3 is
 * synchronous: each transaction runs start to end without yielding, so nothing interleaves with
 * it, and `BEGIN IMMEDIATE` takes the write lock up front against other processes.
 */
export class SqliteBackend implements StoreBackend {
  private readonly sql = new StateSql({
    param: () => '?',
    stateTable: '"samsa_state"',
    offsetsTable: '"samsa_offsets"',
  });
  private readonly journal = new JournalSql({
    param: () => '?',
    outboxTable: '"samsa_outbox"',
    checkpointsTable: '"samsa_checkpoints"',
    offsetsTable: '"samsa_offsets"',
    greatest: 'max',
  });
  private readonly statements = new Map<string, Statement>();

  private constructor(private readonly db: BetterSqlite3.Database) {}

  static async open(dataSource: DataSource): Promise<SqliteBackend> {
    const runner = dataSource.createQueryRunner();
    // TypeORM's SQLite query runner hands out its one connection, the better-sqlite3 Database.
    const db: BetterSqlite3.Database = await runner.connect();
    await runner.release();
    return new SqliteBackend(db);
  }

  async createTables(): Promise<void> {
    await this.idle();
    const seeded = this.prepare(vouched.vouchedTableExists).get() !== undefined;
    this.db.exec(TABLES);
    this.db.exec(vouched.VOUCHED_TABLE);
    if (!seeded) this.db.exec(vouched.SEED_VOUCHED);
  }

  async ping(): Promise<void> {
    this.prepare('SELECT 1').get();
  }

  async read(store: string, keys: readonly string[], now: number): Promise<Map<string, StoredValue>> {
    const values = new Map<string, StoredValue>();
    for (const chunk of shaped(keys, KEYS_PER_STATEMENT)) {
      const { text, params } = this.sql.select(store, chunk, now);
      const rows = this.prepare(text)
        .raw(true)
        .all(...params) as StateRow[];
      for (const [key, value, expiresAt] of rows) values.set(key, { value, expiresAt });
    }
    return values;
  }

  async scan(store: string, request: ScanRequest, now: number): Promise<Array<[string, string]>> {
    return this.all<Entry>(this.sql.scan(store, request, now)).map((row) => [row.key, row.value]);
  }

  async count(store: string, now: number): Promise<number> {
    return this.all<{ count: number }>(this.sql.count(store, now))[0].count;
  }

  async write(changes: StoreChanges): Promise<void> {
    await this.idle();
    this.immediate(() => this.applyChanges(changes));
  }

  async remove(store: string, key: string, now: number): Promise<boolean> {
    await this.idle();
    const [row] = this.all<{ live: number }>(this.sql.remove(store, key, now));
    return Boolean(row?.live);
  }

  async update(
    store: string,
    key: string,
    partition: number,
    now: number,
    next: (current: string | undefined) => StoredValue | undefined,
  ): Promise<void> {
    await this.idle();
    this.immediate(() => {
      const [row] = this.all<{ value: string; live: number }>(this.sql.row(store, key, now));
      const value = next(row?.live ? row.value : undefined);
      if (value) this.run(this.sql.upsert(store, partition, [{ key, ...value }]));
      else if (row) this.run(this.sql.deleteKeys(store, [key]));
    });
  }

  async clear(store: string): Promise<void> {
    await this.idle();
    this.run(this.sql.clear(store));
  }

  async position(group: string, partition: TopicPartition): Promise<string | undefined> {
    const { text, params } = this.sql.position(group, partition);
    const row = this.prepare(text)
      .safeIntegers(true)
      .get(...params) as { next_offset: bigint } | undefined;
    return row?.next_offset.toString();
  }

  async commit(
    group: string,
    partition: TopicPartition,
    from: string | undefined,
    to: string,
    changes: readonly StoreChanges[],
    journal: CommitJournal,
  ): Promise<boolean> {
    await this.idle();
    return this.immediate(() => {
      const moved =
        from === undefined
          ? this.run(this.sql.claim(group, partition, BigInt(to)))
          : this.run(this.sql.advance(group, partition, BigInt(from), BigInt(to)));
      if (moved === 0) return false;
      for (const change of changes) this.applyChanges(change);
      this.applyJournal(journal);
      return true;
    });
  }

  async pendingOutbox(limit: number): Promise<OutboxRow[]> {
    return this.all<OutboxRow>(this.journal.pendingOutbox(limit));
  }

  async deleteOutbox(ids: readonly string[]): Promise<void> {
    await this.idle();
    for (const chunk of shaped(ids, KEYS_PER_STATEMENT)) this.run(this.journal.deleteOutbox(chunk));
  }

  async countOutbox(): Promise<number> {
    const [row] = this.all<{ rows: number }>(this.journal.countOutbox());
    return Number(row?.rows ?? 0);
  }

  async checkpoint(store: string, partition: number): Promise<string | undefined> {
    const { text, params } = this.journal.checkpoint(store, partition);
    const row = this.prepare(text)
      .safeIntegers(true)
      .get(...params) as { next_offset: bigint } | undefined;
    return row?.next_offset.toString();
  }

  async restore(
    changes: StoreChanges,
    checkpoint: Checkpoint,
    positions: readonly RestoredPosition[],
  ): Promise<void> {
    await this.idle();
    this.immediate(() => {
      this.applyChanges(changes);
      this.run(this.journal.saveCheckpoint(checkpoint));
      for (const position of positions) {
        this.run(this.journal.restorePosition(position));
        // Restored from a position record: the changelogs vouch for it.
        this.run(vouchFor(position));
      }
    });
  }

  async vouch(positions: readonly RestoredPosition[]): Promise<void> {
    await this.idle();
    this.immediate(() => {
      for (const position of positions) this.run(vouchFor(position));
    });
  }

  async unvouched(partition: number): Promise<RestoredPosition[]> {
    const { text, params } = vouched.unvouched(partition);
    const rows = this.prepare(text)
      .safeIntegers(true)
      .all(...params) as Array<{ group: string; topic: string; offset: bigint }>;
    return rows.map(({ group, topic, offset }) => ({ group, topic, partition, offset: offset.toString() }));
  }

  async forgetPartition(
    partition: number,
    stores: readonly string[],
    groups: readonly string[],
  ): Promise<void> {
    if (stores.length === 0 || groups.length === 0) return;
    await this.idle();
    this.immediate(() => {
      for (const statement of vouched.forgetPartition(partition, stores, groups)) this.run(statement);
    });
  }

  private applyJournal({ outbox, checkpoints }: CommitJournal): void {
    for (const rows of shaped(outbox, ROWS_PER_STATEMENT)) this.run(this.journal.insertOutbox(rows));
    for (const checkpoint of checkpoints) this.run(this.journal.saveCheckpoint(checkpoint));
  }

  async deleteExpired(now: number): Promise<ExpiredKey[]> {
    await this.idle();
    return this.immediate(() => this.all<ExpiredKey>(this.sql.deleteExpired(now)));
  }

  async expiredKeys(partition: number, now: number, limit: number): Promise<ExpiredKey[]> {
    return this.all<ExpiredKey>(this.sql.expiredKeys(partition, now, limit));
  }

  async deleteExpiredKeys(store: string, keys: readonly string[], now: number): Promise<void> {
    await this.idle();
    this.immediate(() => {
      for (const chunk of shaped(keys, KEYS_PER_STATEMENT))
        this.run(this.sql.deleteExpiredKeys(store, chunk, now));
    });
  }

  async deleteUnlogged(now: number, logged: readonly string[]): Promise<number> {
    await this.idle();
    return this.run(this.sql.deleteUnlogged(now, logged));
  }

  private applyChanges({ store, partition, upserts, deletes }: StoreChanges): void {
    for (const rows of shaped(upserts, ROWS_PER_STATEMENT)) this.run(this.sql.upsert(store, partition, rows));
    for (const keys of shaped(deletes, KEYS_PER_STATEMENT)) this.run(this.sql.deleteKeys(store, keys));
  }

  private immediate<R>(work: () => R): R {
    return this.db.transaction(work).immediate();
  }

  /**
   * A reused DataSource may have a TypeORM transaction open on the shared connection, across
   * awaits; better-sqlite3 would nest ours into it as a savepoint, so samsa's writes wait.
   */
  private async idle(): Promise<void> {
    while (this.db.inTransaction) await sleep(1);
  }

  private all<R>({ text, params }: SqlStatement): R[] {
    return this.prepare(text).all(...params) as R[];
  }

  private run({ text, params }: SqlStatement): number {
    return this.prepare(text).run(...params).changes;
  }

  private prepare(text: string): Statement {
    let statement = this.statements.get(text);
    if (!statement) this.statements.set(text, (statement = this.db.prepare<unknown[]>(text)));
    return statement;
  }
}
