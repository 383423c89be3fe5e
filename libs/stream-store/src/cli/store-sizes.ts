import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliFailureError } from './cli-failure.error.js';
import { CliUsageError } from './cli-usage.error.js';

/** How many keys a state store holds in the `samsa_state` table. */
export interface StoreSize {
  store: string;
  /** Keys readable now: without a TTL, or not expired yet. */
  keys: number;
  /** Rows past their TTL that cleanup has not deleted yet (invisible to reads). */
  expired: number;
}

export interface StoreLocation {
  /** A SQLite file path, or a `postgres://` / `postgresql://` URL. */
  store: string;
  /** Postgres schema of samsa's tables. Default `public`, as in `forRoot({ store })`. */
  schema?: string;
}

const POSTGRES_URL = /^postgres(ql)?:\/\//;
const POSTGRES_CONNECT_TIMEOUT_MS = 10_000;

// Counts per store, live and expired; `expires_at` is in ms since the epoch, `now` the placeholder of the current time.
const COUNTS = (table: string, now: string) =>
  `SELECT "store", ` +
  `SUM(CASE WHEN "expires_at" IS NULL OR "expires_at" > ${now} THEN 1 ELSE 0 END) AS "keys", ` +
  `SUM(CASE WHEN "expires_at" IS NULL OR "expires_at" > ${now} THEN 0 ELSE 1 END) AS "expired" ` +
  `FROM ${table} GROUP BY "store" ORDER BY "store"`;

type CountRow = { store: string; keys: number | string | bigint; expired: number | string | bigint };

/** The next offset a consumer group handles for a partition, as stored in `samsa_offsets`. */
export interface StoredOffset {
  group: string;
  /** The Kafka topic, with the prefix. */
  topic: string;
  partition: number;
  offset: string;
}

type OffsetRow = {
  group: string;
  topic: string;
  partition: number | string;
  next_offset: number | string | bigint;
};

const OFFSETS = (table: string) =>
  `SELECT "group", "topic", "partition", "next_offset" FROM ${table} ORDER BY "group", "topic", "partition"`;

/** Keys per store (sorted by store name) and stored offsets, read-only, from a SQLite file or a Postgres database. */
export async function readStore(
  location: StoreLocation,
  now = Date.now(),
): Promise<{ sizes: StoreSize[]; offsets: StoredOffset[] }> {
  const { counts, offsets } = POSTGRES_URL.test(location.store)
    ? await readPostgres(location.store, location.schema ?? 'public', now)
    : await readSqlite(location.store, now);
  return {
    sizes: counts.map(({ store, keys, expired }) => ({
      store,
      keys: Number(keys),
      expired: Number(expired),
    })),
    offsets: offsets.map((row) => ({
      group: row.group,
      topic: row.topic,
      partition: Number(row.partition),
      offset: String(row.next_offset),
    })),
  };
}

type StoreRows = { counts: CountRow[]; offsets: OffsetRow[] };

async function readSqlite(file: string, now: number): Promise<StoreRows> {
  const path = resolve(file);
  if (!existsSync(path)) throw new CliUsageError(`--store: no SQLite file at ${path}`);
  const Database = await importDriver<typeof import('better-sqlite3')>('better-sqlite3');
  let db;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new CliFailureError(`Cannot open SQLite file ${path}: ${messageOf(error)}`, { cause: error });
  }
  try {
    const table = db
      .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'samsa_state'`)
      .get();
    if (!table) throw new CliUsageError(`${path} has no samsa_state table: is it a samsa store database?`);
    const offsets = db
      .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'samsa_offsets'`)
      .get()
      ? (db.prepare(OFFSETS('"samsa_offsets"')).safeIntegers(true).all() as OffsetRow[])
      : [];
    return { counts: db.prepare(COUNTS('"samsa_state"', '@now')).all({ now }) as CountRow[], offsets };
  } catch (error) {
    throw failure(error, `Cannot count the keys in ${path}`);
  } finally {
    db.close();
  }
}

async function readPostgres(url: string, schema: string, now: number): Promise<StoreRows> {
  const pg = await importDriver<typeof import('pg')>('pg');
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS,
    application_name: 'samsa inspect',
    // Read-only: every statement runs in a read-only transaction.
    options: '-c default_transaction_read_only=on',
  });
  try {
    await client.connect();
  } catch (error) {
    throw new CliFailureError(`Cannot connect to Postgres at ${redactUrl(url)}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  try {
    const table = `${quote(schema)}."samsa_state"`;
    const found = await client.query<{ table: string | null }>('SELECT to_regclass($1) AS "table"', [table]);
    if (!found.rows[0]?.table) {
      throw new CliUsageError(
        `Postgres at ${redactUrl(url)} has no samsa_state table in schema "${schema}": pick the schema with --store-schema.`,
      );
    }
    const offsetsTable = `${quote(schema)}."samsa_offsets"`;
    const hasOffsets = await client.query<{ table: string | null }>('SELECT to_regclass($1) AS "table"', [
      offsetsTable,
    ]);
    const offsets = hasOffsets.rows[0]?.table
      ? (await client.query<OffsetRow>(OFFSETS(offsetsTable))).rows
      : [];
    return { counts: (await client.query<CountRow>(COUNTS(table, '$1'), [now])).rows, offsets };
  } catch (error) {
    throw failure(error, `Cannot count the keys in Postgres at ${redactUrl(url)}`);
  } finally {
    await client.end();
  }
}

/** An optional peer dependency's default export (both are CommonJS packages). */
async function importDriver<T>(name: string): Promise<T> {
  try {
    return ((await import(name)) as { default: T }).default;
  } catch (error) {
    throw new CliFailureError(`Reading this store needs the ${name} package: npm install ${name}`, {
      cause: error,
    });
  }
}

/** Usage errors pass through; anything else becomes a failure saying what was being done. */
function failure(error: unknown, doing: string): Error {
  if (error instanceof CliUsageError || error instanceof CliFailureError) return error;
  return new CliFailureError(`${doing}: ${messageOf(error)}`, { cause: error });
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

/** A URL with its password replaced by `***`, for messages. */
export const redactUrl = (url: string) => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
