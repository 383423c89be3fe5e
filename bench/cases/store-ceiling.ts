// Case 6: the store's ceiling — what samsa's flush does, written by hand: per consumed batch, one
// transaction upserting `batchSize` counters into a `samsa_state`-shaped table and moving the
// offsets row. Directly (better-sqlite3, pg) and through a TypeORM query runner.
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DataSource, type QueryRunner } from 'typeorm';
import { KEY_COUNT } from '../support/bench-event.js';
import { runCase, uniqueId, Window, type CaseParams, type Measurement } from '../support/case.js';
import { PG_URL, withSchema } from '../support/postgres.js';

interface Params extends CaseParams {
  driver: 'better-sqlite3' | 'pg' | 'typeorm-sqlite' | 'typeorm-pg';
  /** Rows per transaction: the consumed batch size. */
  batchSize: number;
}

/** What one flush writes: `rows` upserts, then the partition's offset. */
interface Flush {
  keys: string[];
  values: string[];
  offset: number;
}

const flushes = function* ({ messages, batchSize }: Params): Generator<Flush> {
  for (let start = 0; start < messages; start += batchSize) {
    const size = Math.min(batchSize, messages - start);
    const seqs = Array.from({ length: size }, (_, i) => start + i);
    // Every key once per batch, as samsa's unit of work collapses repeated keys.
    yield { keys: seqs.map((seq) => `k${seq % KEY_COUNT}`), values: seqs.map(String), offset: start + size };
  }
};

// The tables as samsa creates them (libs/stream-store/src/store/backend/*-backend.ts).
const sqliteTables = `
CREATE TABLE samsa_state ("store" TEXT NOT NULL, "key" TEXT NOT NULL, "partition" INTEGER NOT NULL,
  "value" TEXT NOT NULL, "expires_at" INTEGER, PRIMARY KEY ("store", "key")) WITHOUT ROWID;
CREATE TABLE samsa_offsets ("group" TEXT NOT NULL, "topic" TEXT NOT NULL, "partition" INTEGER NOT NULL,
  "next_offset" INTEGER NOT NULL, PRIMARY KEY ("group", "topic", "partition")) WITHOUT ROWID;
INSERT INTO samsa_offsets VALUES ('g', 't', 0, 0);`;
const pgTables = (schema: string) => [
  `CREATE SCHEMA "${schema}"`,
  `CREATE TABLE "${schema}".samsa_state ("store" text NOT NULL, "key" text COLLATE "C" NOT NULL,
    "partition" integer NOT NULL, "value" text NOT NULL, "expires_at" bigint, PRIMARY KEY ("store", "key"))`,
  `CREATE TABLE "${schema}".samsa_offsets ("group" text NOT NULL, "topic" text NOT NULL, "partition" integer NOT NULL,
    "next_offset" bigint NOT NULL, PRIMARY KEY ("group", "topic", "partition"))`,
  `INSERT INTO "${schema}".samsa_offsets VALUES ('g', 't', 0, 0)`,
];

const UPSERT_TAIL =
  'ON CONFLICT ("store", "key") DO UPDATE SET "partition" = excluded."partition", "value" = excluded."value"';
const pgUpsert = (schema: string) =>
  `INSERT INTO "${schema}".samsa_state ("store", "key", "partition", "value") ` +
  `SELECT 'counts', "key", 0, "value" FROM unnest($1::text[], $2::text[]) AS row ("key", "value") ${UPSERT_TAIL}`;
const pgAdvance = (schema: string) =>
  `UPDATE "${schema}".samsa_offsets SET "next_offset" = $1 WHERE "group" = 'g' AND "topic" = 't' AND "partition" = 0`;
const SQLITE_ADVANCE = `UPDATE samsa_offsets SET "next_offset" = ? WHERE "group" = 'g' AND "topic" = 't' AND "partition" = 0`;
/** A multi-row upsert for SQLite (at most 32 766 parameters: fine up to 16 000 rows). */
const sqliteUpsert = (rows: number) =>
  `INSERT INTO samsa_state ("store", "key", "partition", "value") VALUES ${Array(rows).fill("('counts', ?, 0, ?)").join(', ')} ${UPSERT_TAIL}`;

/** Times `write` over every flush of the run. */
async function timed(params: Params, write: (flush: Flush) => Promise<void> | void): Promise<Measurement> {
  const window = new Window(params.messages, params.messageBytes);
  window.open();
  for (const flush of flushes(params)) {
    await write(flush);
    window.hit(flush.keys.length);
  }
  return window.close({ batchSize: params.batchSize });
}

async function betterSqlite3(params: Params): Promise<Measurement> {
  const file = join(tmpdir(), `${uniqueId('ceiling')}.sqlite`);
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(sqliteTables);
    const upserts = new Map<number, Database.Statement>();
    const advance = db.prepare(SQLITE_ADVANCE);
    const flush = db.transaction(({ keys, values, offset }: Flush) => {
      let upsert = upserts.get(keys.length);
      if (!upsert) upserts.set(keys.length, (upsert = db.prepare(sqliteUpsert(keys.length))));
      upsert.run(keys.flatMap((key, i) => [key, values[i]]));
      advance.run(offset);
    });
    return await timed(params, (batch) => flush.immediate(batch));
  } finally {
    db.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  }
}

async function pgDirect(params: Params): Promise<Measurement> {
  return withSchema(async (schema) => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      for (const statement of pgTables(schema)) await client.query(statement);
      return await timed(params, async ({ keys, values, offset }) => {
        await client.query('BEGIN');
        await client.query(pgUpsert(schema), [keys, values]);
        await client.query(pgAdvance(schema), [offset]);
        await client.query('COMMIT');
      });
    } finally {
      await client.end();
    }
  });
}

async function throughTypeorm(
  params: Params,
  dataSource: DataSource,
  setup: string[],
  write: (runner: QueryRunner, flush: Flush) => Promise<void>,
): Promise<Measurement> {
  await dataSource.initialize();
  const runner = dataSource.createQueryRunner();
  try {
    for (const statement of setup) await runner.query(statement);
    return await timed(params, async (flush) => {
      await runner.startTransaction();
      await write(runner, flush);
      await runner.commitTransaction();
    });
  } finally {
    await runner.release();
    await dataSource.destroy();
  }
}

async function typeormSqlite(params: Params): Promise<Measurement> {
  const file = join(tmpdir(), `${uniqueId('ceiling')}.sqlite`);
  const dataSource = new DataSource({
    type: 'better-sqlite3',
    database: file,
    enableWAL: true,
    prepareDatabase: (db: Database.Database) => void db.pragma('synchronous = NORMAL'),
  });
  try {
    const setup = sqliteTables.split(';').filter((statement) => statement.trim());
    return await throughTypeorm(params, dataSource, setup, async (runner, { keys, values, offset }) => {
      await runner.query(
        sqliteUpsert(keys.length),
        keys.flatMap((key, i) => [key, values[i]]),
      );
      await runner.query(SQLITE_ADVANCE, [offset]);
    });
  } finally {
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  }
}

async function typeormPg(params: Params): Promise<Measurement> {
  return withSchema((schema) =>
    throughTypeorm(
      params,
      new DataSource({ type: 'postgres', url: PG_URL }),
      pgTables(schema),
      async (runner, { keys, values, offset }) => {
        await runner.query(pgUpsert(schema), [keys, values]);
        await runner.query(pgAdvance(schema), [offset]);
      },
    ),
  );
}

await runCase<Params>((params) => {
  switch (params.driver) {
    case 'better-sqlite3':
      return betterSqlite3(params);
    case 'pg':
      return pgDirect(params);
    case 'typeorm-sqlite':
      return typeormSqlite(params);
    case 'typeorm-pg':
      return typeormPg(params);
  }
});
