import { Logger } from '@nestjs/common';
import type { DataSource, QueryRunner } from 'typeorm';
import type { TopicPartition } from '../../kafka/kafka-client.interface.js';
import { PostgresSql } from './postgres-sql.js';
import { shaped, type SqlStatement, type StateSql } from './state-sql.js';
import { JournalSql, type Checkpoint, type OutboxRow, type RestoredPosition } from './journal-sql.js';
import type {
  CommitJournal,
  ExpiredKey,
  ScanRequest,
  StoreBackend,
  StoreChanges,
  StoredValue,
} from './store-backend.interface.js';

// Key of the advisory lock taken while creating tables ("samsa" in ASCII).
const CREATE_TABLES_LOCK = 0x73616d7361;
/** Outbox rows per INSERT or DELETE: well under Postgres's 65 535 bind parameters. */
const OUTBOX_ROWS_PER_STATEMENT = 1024;

/** A `select()` row; pg returns bigint columns as text. */
type StateRow = { key: string; value: string; expires_at: string | null };

const toStoredValue = (row: StateRow): StoredValue => ({
  value: row.value,
  expiresAt: row.expires_at === null ? null : Number(row.expires_at),
});

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

/**
 * Postgres through a TypeORM DataSource's query runners (its pg pool). Keys are `COLLATE "C"`, so
 * they sort by their UTF-8 bytes whatever the database's locale.
 */
export class PostgresBackend implements StoreBackend {
  private readonly logger = new Logger('StateStores');
  private readonly sql: StateSql;
  private readonly journal: JournalSql;
  private readonly tables: string[];

  /** `schema`: where samsa's tables live; undefined: the connection's search_path. */
  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string | undefined,
  ) {
    const prefix = schema === undefined ? '' : `${quote(schema)}.`;
    const [stateTable, offsetsTable] = [`${prefix}"samsa_state"`, `${prefix}"samsa_offsets"`];
    const [outboxTable, checkpointsTable] = [`${prefix}"samsa_outbox"`, `${prefix}"samsa_checkpoints"`];
    this.sql = new PostgresSql({ param: (n) => `$${n}`, stateTable, offsetsTable });
    this.journal = new JournalSql({
      param: (n) => `$${n}`,
      outboxTable,
      checkpointsTable,
      offsetsTable,
      greatest: 'GREATEST',
    });
    this.tables = [
      `CREATE TABLE IF NOT EXISTS ${stateTable} ("store" text NOT NULL, "key" text COLLATE "C" NOT NULL, ` +
        '"partition" integer NOT NULL, "value" text NOT NULL, "expires_at" bigint, PRIMARY KEY ("store", "key"))',
      `CREATE INDEX IF NOT EXISTS "samsa_state_expires_at" ON ${stateTable} ("expires_at") WHERE "expires_at" IS NOT NULL`,
      `CREATE TABLE IF NOT EXISTS ${offsetsTable} ("group" text NOT NULL, "topic" text NOT NULL, ` +
        '"partition" integer NOT NULL, "next_offset" bigint NOT NULL, PRIMARY KEY ("group", "topic", "partition"))',
      `CREATE TABLE IF NOT EXISTS ${outboxTable} ("seq" bigserial PRIMARY KEY, "id" text NOT NULL UNIQUE, "record" text NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS ${checkpointsTable} ("store" text NOT NULL, "partition" integer NOT NULL, ` +
        '"next_offset" bigint NOT NULL, PRIMARY KEY ("store", "partition"))',
    ];
  }

  async createTables(): Promise<void> {
    await this.transaction(async (runner) => {
      // Instances starting together would race on CREATE ... IF NOT EXISTS (a catalog unique violation).
      await runner.query(`SELECT pg_advisory_xact_lock(${CREATE_TABLES_LOCK})`);
      if (this.schema !== undefined) await this.createSchema(runner, this.schema);
      for (const statement of this.tables) await runner.query(statement);
    });
  }

  /** Looked up first: `CREATE SCHEMA IF NOT EXISTS` needs the CREATE privilege even when it exists. */
  private async createSchema(runner: QueryRunner, schema: string): Promise<void> {
    const found: unknown[] = await runner.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (found.length === 0) await runner.query(`CREATE SCHEMA ${quote(schema)}`);
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }

  async read(store: string, keys: readonly string[], now: number): Promise<Map<string, StoredValue>> {
    const { rows } = await this.query<StateRow>(this.sql.select(store, keys, now));
    return new Map(rows.map((row) => [row.key, toStoredValue(row)]));
  }

  async scan(store: string, request: ScanRequest, now: number): Promise<Array<[string, string]>> {
    const { rows } = await this.query<{ key: string; value: string }>(this.sql.scan(store, request, now));
    return rows.map((row) => [row.key, row.value]);
  }

  async count(store: string, now: number): Promise<number> {
    const { rows } = await this.query<{ count: string }>(this.sql.count(store, now));
    return Number(rows[0].count);
  }

  async write(changes: StoreChanges): Promise<void> {
    if (changes.upserts.length > 0 && changes.deletes.length > 0) {
      await this.transaction((runner) => this.applyChanges(runner, changes));
    } else {
      await this.applyChanges(undefined, changes); // One statement: it commits on its own.
    }
  }

  async remove(store: string, key: string, now: number): Promise<boolean> {
    const { rows } = await this.query<{ live: boolean }>(this.sql.remove(store, key, now));
    return rows[0]?.live === true;
  }

  async update(
    store: string,
    key: string,
    partition: number,
    now: number,
    next: (current: string | undefined) => StoredValue | undefined,
  ): Promise<void> {
    await this.transaction(async (runner) => {
      for (;;) {
        const { rows } = await this.query<{ value: string; live: boolean }>(
          this.sql.row(store, key, now, ' FOR UPDATE'),
          runner,
        );
        const [row] = rows;
        const value = next(row?.live ? row.value : undefined);
        if (row) {
          const statement = value
            ? this.sql.upsert(store, partition, [{ key, ...value }])
            : this.sql.deleteKeys(store, [key]);
          await this.query(statement, runner);
          return;
        }
        if (!value) return;
        // No row to lock: insert unless a concurrent update did first, then lock that row and retry.
        const { affected } = await this.query(
          this.sql.insertIfAbsent(store, partition, { key, ...value }),
          runner,
        );
        if (affected > 0) return;
      }
    });
  }

  async clear(store: string): Promise<void> {
    await this.query(this.sql.clear(store));
  }

  async position(group: string, partition: TopicPartition): Promise<string | undefined> {
    const { rows } = await this.query<{ next_offset: string }>(this.sql.position(group, partition));
    return rows[0]?.next_offset;
  }

  async commit(
    group: string,
    partition: TopicPartition,
    from: string | undefined,
    to: string,
    changes: readonly StoreChanges[],
    journal: CommitJournal,
  ): Promise<boolean> {
    return this.transaction(async (runner) => {
      // The offsets row first: it is locked from here to the commit, so a rival instance waits here.
      const move =
        from === undefined
          ? this.sql.claim(group, partition, to)
          : this.sql.advance(group, partition, from, to);
      if ((await this.query(move, runner)).affected === 0) return false;
      for (const change of changes) await this.applyChanges(runner, change);
      for (const rows of shaped(journal.outbox, OUTBOX_ROWS_PER_STATEMENT))
        await this.query(this.journal.insertOutbox(rows), runner);
      for (const checkpoint of journal.checkpoints)
        await this.query(this.journal.saveCheckpoint(checkpoint), runner);
      return true;
    });
  }

  async pendingOutbox(limit: number): Promise<OutboxRow[]> {
    return (await this.query<OutboxRow>(this.journal.pendingOutbox(limit))).rows;
  }

  async deleteOutbox(ids: readonly string[]): Promise<void> {
    for (const chunk of shaped(ids, OUTBOX_ROWS_PER_STATEMENT))
      await this.query(this.journal.deleteOutbox(chunk));
  }

  async countOutbox(): Promise<number> {
    const { rows } = await this.query<{ rows: string }>(this.journal.countOutbox());
    return Number(rows[0]?.rows ?? 0);
  }

  async checkpoint(store: string, partition: number): Promise<string | undefined> {
    const { rows } = await this.query<{ next_offset: string }>(this.journal.checkpoint(store, partition));
    return rows[0]?.next_offset;
  }

  async restore(
    changes: StoreChanges,
    checkpoint: Checkpoint,
    positions: readonly RestoredPosition[],
  ): Promise<void> {
    await this.transaction(async (runner) => {
      await this.applyChanges(runner, changes);
      await this.query(this.journal.saveCheckpoint(checkpoint), runner);
      for (const position of positions) await this.query(this.journal.restorePosition(position), runner);
    });
  }

  /** One shared database: every instance reads the offsets every commit made, nothing to vouch for. */
  async vouch(): Promise<void> {}

  async unvouched(): Promise<RestoredPosition[]> {
    return [];
  }

  async forgetPartition(): Promise<void> {}

  async deleteExpired(now: number): Promise<ExpiredKey[]> {
    return (await this.query<ExpiredKey>(this.sql.deleteExpired(now))).rows;
  }

  async expiredKeys(partition: number, now: number, limit: number): Promise<ExpiredKey[]> {
    return (await this.query<ExpiredKey>(this.sql.expiredKeys(partition, now, limit))).rows;
  }

  async deleteExpiredKeys(store: string, keys: readonly string[], now: number): Promise<void> {
    if (keys.length > 0) await this.query(this.sql.deleteExpiredKeys(store, keys, now));
  }

  async deleteUnlogged(now: number, logged: readonly string[]): Promise<number> {
    return (await this.query(this.sql.deleteUnlogged(now, logged))).affected;
  }

  private async applyChanges(
    runner: QueryRunner | undefined,
    { store, partition, upserts, deletes }: StoreChanges,
  ): Promise<void> {
    if (upserts.length > 0) await this.query(this.sql.upsert(store, partition, upserts), runner);
    if (deletes.length > 0) await this.query(this.sql.deleteKeys(store, deletes), runner);
  }

  private async query<R>(
    { text, params }: SqlStatement,
    runner?: QueryRunner,
  ): Promise<{ rows: R[]; affected: number }> {
    const used = runner ?? this.dataSource.createQueryRunner();
    try {
      const result = await used.query(text, params, true);
      return { rows: result.records, affected: result.affected ?? 0 };
    } finally {
      if (!runner) await used.release();
    }
  }

  private async transaction<R>(work: (runner: QueryRunner) => Promise<R>): Promise<R> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      const result = await work(runner);
      await runner.commitTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) {
        await runner.rollbackTransaction().catch((rollbackError: unknown) => {
          this.logger.warn(`Rollback failed: ${String(rollbackError)}`);
        });
      }
      throw error;
    } finally {
      await runner.release();
    }
  }
}
