// A throw-away Postgres schema per repetition (PG_URL, default: the local trust-auth server).
import pg from 'pg';
import { Skip, uniqueId } from './case.js';

export const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Runs `work` with a fresh schema name (created by whoever uses it), dropped afterwards. */
export async function withSchema<T>(work: (schema: string) => Promise<T>): Promise<T> {
  const schema = uniqueId('samsa_bench').replaceAll('-', '_');
  try {
    await pgQuery('select 1');
  } catch (error) {
    throw new Skip(`Postgres unreachable at ${PG_URL} (${String(error)}): set PG_URL`);
  }
  try {
    return await work(schema);
  } finally {
    await pgQuery(`drop schema if exists "${schema}" cascade`);
  }
}

export async function pgQuery<R extends pg.QueryResultRow>(
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}
