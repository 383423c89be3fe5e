import type { SqlStatement } from './state-sql.js';

/** A handler output waiting in the outbox; `record` is the JSON of an `OutboxRecord`. */
export interface OutboxRow {
  readonly id: string;
  readonly record: string;
}

/** How far a store's local state has applied its changelog partition. */
export interface Checkpoint {
  readonly store: string;
  readonly partition: number;
  /** Next changelog offset not yet in the local state. */
  readonly offset: string;
}

/** A consumer group's position rebuilt from a changelog on restore. */
export interface RestoredPosition {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export interface JournalDialect {
  param(n: number): string;
  /** Qualified, quoted names of the three tables. */
  readonly outboxTable: string;
  readonly checkpointsTable: string;
  readonly offsetsTable: string;
  /** The larger of two values: `max` in SQLite, `GREATEST` in Postgres. */
  readonly greatest: string;
}

/**
 * The tables beside the state that keep it consistent with Kafka: `samsa_outbox` (handler
 * outputs committed with the state, produced after the commit) and `samsa_checkpoints` (the
 * changelog offset each store's local state has reached, per partition).
 */
export class JournalSql {
  constructor(private readonly dialect: JournalDialect) {}

  insertOutbox(rows: readonly OutboxRow[]): SqlStatement {
    const params: unknown[] = [];
    const values = rows.map((row) => `(${this.bind(params, row.id, row.record)})`).join(', ');
    return { text: `INSERT INTO ${this.dialect.outboxTable} ("id", "record") VALUES ${values}`, params };
  }

  /** Outputs in the order they were committed. */
  pendingOutbox(limit: number): SqlStatement {
    const params: unknown[] = [];
    return {
      text: `SELECT "id", "record" FROM ${this.dialect.outboxTable} ORDER BY "seq" LIMIT ${this.bind(params, limit)}`,
      params,
    };
  }

  /** How many outputs wait in the outbox. */
  countOutbox(): SqlStatement {
    return { text: `SELECT COUNT(*) AS "rows" FROM ${this.dialect.outboxTable}`, params: [] };
  }

  deleteOutbox(ids: readonly string[]): SqlStatement {
    const params: unknown[] = [];
    return {
      text: `DELETE FROM ${this.dialect.outboxTable} WHERE "id" IN (${this.bind(params, ...ids)})`,
      params,
    };
  }

  checkpoint(store: string, partition: number): SqlStatement {
    const params: unknown[] = [];
    return {
      text: `SELECT "next_offset" FROM ${this.dialect.checkpointsTable} WHERE "store" = ${this.bind(params, store)} AND "partition" = ${this.bind(params, partition)}`,
      params,
    };
  }

  /** Moves a checkpoint forward (never back: batches of two handlers may commit out of order). */
  saveCheckpoint({ store, partition, offset }: Checkpoint): SqlStatement {
    const params: unknown[] = [];
    const table = this.dialect.checkpointsTable;
    return {
      text:
        `INSERT INTO ${table} ("store", "partition", "next_offset") VALUES (${this.bind(params, store, partition, BigInt(offset))}) ` +
        `ON CONFLICT ("store", "partition") DO UPDATE SET "next_offset" = ${this.dialect.greatest}(${table}."next_offset", excluded."next_offset")`,
      params,
    };
  }

  /** Moves a group's offsets row forward to a restored position (never back). */
  restorePosition({ group, topic, partition, offset }: RestoredPosition): SqlStatement {
    const params: unknown[] = [];
    const table = this.dialect.offsetsTable;
    return {
      text:
        `INSERT INTO ${table} ("group", "topic", "partition", "next_offset") VALUES (${this.bind(params, group, topic, partition, BigInt(offset))}) ` +
        `ON CONFLICT ("group", "topic", "partition") DO UPDATE SET "next_offset" = ${this.dialect.greatest}(${table}."next_offset", excluded."next_offset")`,
      params,
    };
  }

  private bind(params: unknown[], ...values: unknown[]): string {
    return values.map((value) => this.dialect.param(params.push(value))).join(', ');
  }
}
