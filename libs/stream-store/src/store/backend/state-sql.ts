import type { TopicPartition } from '../../kafka/kafka-client.interface.js';
import type { KeyBound } from '../keys.js';
import type { ScanRequest, StoredEntry } from './store-backend.interface.js';

/** SQL text and its parameters: keys and values are always bound, never spliced in. */
export interface SqlStatement {
  readonly text: string;
  readonly params: unknown[];
}

/** What differs between databases in samsa's SQL. */
export interface SqlDialect {
  /** The placeholder of the n-th parameter (1-based): `?` or `$n`. */
  param(n: number): string;
  /** Qualified, quoted table names. */
  readonly stateTable: string;
  readonly offsetsTable: string;
}

export const LIVE = (now: string) => `("expires_at" IS NULL OR "expires_at" > ${now})`;
export const STATE_COLUMNS = '("store", "key", "partition", "value", "expires_at")';
export const ON_CONFLICT_UPDATE =
  'ON CONFLICT ("store", "key") DO UPDATE SET "partition" = excluded."partition", "value" = excluded."value", ' +
  '"expires_at" = excluded."expires_at"';

/**
 * The statements of samsa's two tables, `samsa_state` (one row per store and key) and
 * `samsa_offsets` (one row per consumer group and partition), shared by SQLite and Postgres.
 */
export class StateSql {
  /** Upsert texts by row count (`shaped()` counts: a few): each commit upserts, the text is the same. */
  private readonly upserts = new Map<number, string>();

  constructor(protected readonly dialect: SqlDialect) {}

  /** A multi-row upsert; `rows` must have distinct keys. */
  upsert(store: string, partition: number, rows: readonly StoredEntry[]): SqlStatement {
    const params: unknown[] = [];
    for (const row of rows) params.push(store, row.key, partition, row.value, row.expiresAt);
    let text = this.upserts.get(rows.length);
    if (text === undefined) {
      const values = rows.map((_, n) => {
        const columns = [1, 2, 3, 4, 5].map((column) => this.dialect.param(n * 5 + column));
        return `(${columns.join(', ')})`;
      });
      text = `INSERT INTO ${this.dialect.stateTable} ${STATE_COLUMNS} VALUES ${values.join(', ')} ${ON_CONFLICT_UPDATE}`;
      this.upserts.set(rows.length, text);
    }
    return { text, params };
  }

  deleteKeys(store: string, keys: readonly string[]): SqlStatement {
    const params: unknown[] = [];
    const storeParam = this.bind(params, store);
    const keyParams = this.bind(params, ...keys);
    return {
      text: `DELETE FROM ${this.dialect.stateTable} WHERE "store" = ${storeParam} AND "key" IN (${keyParams})`,
      params,
    };
  }

  select(store: string, keys: readonly string[], now: number): SqlStatement {
    const params: unknown[] = [];
    const rows = this.liveRows(params, store, now);
    return {
      text: `SELECT "key", "value", "expires_at" FROM ${rows} AND "key" IN (${this.bind(params, ...keys)})`,
      params,
    };
  }

  scan(store: string, { range, reverse, limit }: ScanRequest, now: number): SqlStatement {
    const params: unknown[] = [];
    const rows = this.liveRows(params, store, now);
    const bounds = this.bound(params, range.lower, '>') + this.bound(params, range.upper, '<');
    return {
      text:
        `SELECT "key", "value" FROM ${rows}${bounds} ` +
        `ORDER BY "key" ${reverse ? 'DESC' : 'ASC'} LIMIT ${this.bind(params, limit)}`,
      params,
    };
  }

  count(store: string, now: number): SqlStatement {
    const params: unknown[] = [];
    return { text: `SELECT COUNT(*) AS "count" FROM ${this.liveRows(params, store, now)}`, params };
  }

  clear(store: string): SqlStatement {
    const params: unknown[] = [];
    return {
      text: `DELETE FROM ${this.dialect.stateTable} WHERE "store" = ${this.bind(params, store)}`,
      params,
    };
  }

  /** Deletes one key, returning whether it was live. */
  remove(store: string, key: string, now: number): SqlStatement {
    const params: unknown[] = [];
    const [storeParam, keyParam, nowParam] = this.list(params, store, key, now);
    return {
      text:
        `DELETE FROM ${this.dialect.stateTable} WHERE "store" = ${storeParam} AND "key" = ${keyParam} ` +
        `RETURNING ${LIVE(nowParam)} AS "live"`,
      params,
    };
  }

  /** One row, expired or not, with whether it is live; `suffix` is e.g. ` FOR UPDATE`. */
  row(store: string, key: string, now: number, suffix = ''): SqlStatement {
    const params: unknown[] = [];
    // `?` placeholders bind in the order they appear.
    const [nowParam, storeParam, keyParam] = this.list(params, now, store, key);
    return {
      text:
        `SELECT "value", ${LIVE(nowParam)} AS "live" FROM ${this.dialect.stateTable} ` +
        `WHERE "store" = ${storeParam} AND "key" = ${keyParam}${suffix}`,
      params,
    };
  }

  /** Inserts a key unless it exists (then no row is affected). */
  insertIfAbsent(store: string, partition: number, entry: StoredEntry): SqlStatement {
    const params: unknown[] = [];
    const values = this.bind(params, store, entry.key, partition, entry.value, entry.expiresAt);
    return {
      text:
        `INSERT INTO ${this.dialect.stateTable} ${STATE_COLUMNS} VALUES (${values}) ` +
        'ON CONFLICT ("store", "key") DO NOTHING',
      params,
    };
  }

  deleteExpired(now: number): SqlStatement {
    const params: unknown[] = [];
    return {
      text:
        `DELETE FROM ${this.dialect.stateTable} WHERE "expires_at" <= ${this.bind(params, now)} ` +
        'RETURNING "store", "key", "partition"',
      params,
    };
  }

  /** Expired keys of one partition, at most `limit` (the TTL sweeper tombstones them). */
  expiredKeys(partition: number, now: number, limit: number): SqlStatement {
    const params: unknown[] = [];
    const [partitionParam, nowParam, limitParam] = this.list(params, partition, now, limit);
    return {
      text:
        `SELECT "store", "key", "partition" FROM ${this.dialect.stateTable} ` +
        `WHERE "partition" = ${partitionParam} AND "expires_at" <= ${nowParam} LIMIT ${limitParam}`,
      params,
    };
  }

  /** Deletes keys that are still expired at `now`: a key set again since it was read stays. */
  deleteExpiredKeys(store: string, keys: readonly string[], now: number): SqlStatement {
    const params: unknown[] = [];
    const storeParam = this.bind(params, store);
    const keyParams = this.bind(params, ...keys);
    return {
      text:
        `DELETE FROM ${this.dialect.stateTable} WHERE "store" = ${storeParam} AND "key" IN (${keyParams}) ` +
        `AND "expires_at" <= ${this.bind(params, now)}`,
      params,
    };
  }

  /** Deletes expired rows that have no changelog: of other stores than `logged`, or written outside handlers. */
  deleteUnlogged(now: number, logged: readonly string[]): SqlStatement {
    const params: unknown[] = [];
    const nowParam = this.bind(params, now);
    const unlogged =
      logged.length === 0 ? '' : ` AND ("partition" < 0 OR "store" NOT IN (${this.bind(params, ...logged)}))`;
    return {
      text: `DELETE FROM ${this.dialect.stateTable} WHERE "expires_at" <= ${nowParam}${unlogged}`,
      params,
    };
  }

  position(group: string, { topic, partition }: TopicPartition): SqlStatement {
    const params: unknown[] = [];
    const where = this.partitionRow(params, group, topic, partition);
    return { text: `SELECT "next_offset" FROM ${this.dialect.offsetsTable} WHERE ${where}`, params };
  }

  /** The first commit of a partition: affects no row when another instance stored one first. */
  claim(group: string, { topic, partition }: TopicPartition, to: unknown): SqlStatement {
    const params: unknown[] = [];
    return {
      text:
        `INSERT INTO ${this.dialect.offsetsTable} ("group", "topic", "partition", "next_offset") ` +
        `VALUES (${this.bind(params, group, topic, partition, to)}) ON CONFLICT DO NOTHING`,
      params,
    };
  }

  /** Compare-and-set of a partition's offset: affects no row unless it still holds `from`. */
  advance(group: string, { topic, partition }: TopicPartition, from: unknown, to: unknown): SqlStatement {
    const params: unknown[] = [];
    const next = this.bind(params, to);
    const where = this.partitionRow(params, group, topic, partition);
    const expected = this.bind(params, from);
    return {
      text: `UPDATE ${this.dialect.offsetsTable} SET "next_offset" = ${next} WHERE ${where} AND "next_offset" = ${expected}`,
      params,
    };
  }

  /** `samsa_state WHERE` a store's live rows. */
  private liveRows(params: unknown[], store: string, now: number): string {
    const [storeParam, nowParam] = this.list(params, store, now);
    return `${this.dialect.stateTable} WHERE "store" = ${storeParam} AND ${LIVE(nowParam)}`;
  }

  private partitionRow(params: unknown[], group: string, topic: string, partition: number): string {
    const [groupParam, topicParam, partitionParam] = this.list(params, group, topic, partition);
    return `"group" = ${groupParam} AND "topic" = ${topicParam} AND "partition" = ${partitionParam}`;
  }

  private bound(params: unknown[], bound: KeyBound | undefined, operator: '>' | '<'): string {
    return bound ? ` AND "key" ${operator}${bound.inclusive ? '=' : ''} ${this.bind(params, bound.key)}` : '';
  }

  /** Appends values to `params`, returning their placeholders joined with commas. */
  private bind(params: unknown[], ...values: unknown[]): string {
    return this.list(params, ...values).join(', ');
  }

  private list(params: unknown[], ...values: unknown[]): string[] {
    return values.map((value) => this.dialect.param(params.push(value)));
  }
}

/** Runs of `max` items (a power of two), then the rest in powers of two: few distinct statement shapes. */
export function shaped<T>(items: readonly T[], max: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length;) {
    let size = max;
    while (size > items.length - start) size >>= 1;
    result.push(items.slice(start, (start += size)));
  }
  return result;
}
