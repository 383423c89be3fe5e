// Postgres for e2e tests: PG_URL (default: the local trust-auth server), one fresh schema per suite.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';

export const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface PgTestDb {
  /** The server URL (PG_URL); pair it with `schema` (e.g. TypeORM `{ url, schema }`). */
  url: string;
  /** This suite's own schema: created before its tests, dropped (cascade) after them. */
  schema: string;
  /** `url` with `search_path` set to `schema`, for clients without a schema option (pg, psql). */
  schemaUrl: string;
}

/** Runs one statement on a short-lived connection. */
export async function pgQuery(sql: string, params: unknown[] = [], url = PG_URL): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

const checked = new Map<string, Promise<boolean>>();
/** Whether Postgres answers at `url` (checked once per URL and process). */
export function pgAvailable(url = PG_URL): Promise<boolean> {
  let result = checked.get(url);
  if (!result) {
    result = pgQuery('select 1', [], url).then(
      () => true,
      () => false,
    );
    checked.set(url, result);
  }
  return result;
}

/** A fresh schema name and the URLs to use it; the schema itself is created by describePostgres. */
export function testDb(): PgTestDb {
  const schema = `samsa_test_${randomBytes(6).toString('hex')}`;
  const schemaUrl = new URL(PG_URL);
  schemaUrl.searchParams.set('options', `-c search_path=${schema}`);
  return { url: PG_URL, schema, schemaUrl: schemaUrl.toString() };
}

const redacted = (url: string) => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');

/**
 * A describe block for tests that need Postgres, working in its own fresh schema.
 * Postgres unreachable: the tests are skipped with the reason in the suite title, unless CI is
 * set, where it fails instead (a CI run must not go green without its database tests).
 */
export function describePostgres(name: string, fn: (db: PgTestDb) => void): void {
  describe(name, async () => {
    const db = testDb();
    if (!(await pgAvailable())) {
      const reason = `Postgres unreachable at ${redacted(PG_URL)}: set PG_URL or run \`docker compose up -d\``;
      if (process.env.CI && process.env.CI !== 'false') {
        // A failing test rather than a throw here, so the file's other suites still run.
        it('needs Postgres, since CI is set', () => {
          throw new Error(reason);
        });
        return;
      }
      console.warn(`[e2e] skipping "${name}": ${reason}`);
      describe.skip(`skipped: ${reason}`, () => fn(db));
      return;
    }
    // Registered before fn's hooks: created first, and (hooks run as a stack) dropped last.
    beforeAll(async () => {
      await pgQuery(`create schema "${db.schema}"`);
    });
    afterAll(async () => {
      await pgQuery(`drop schema if exists "${db.schema}" cascade`);
    });
    fn(db);
  });
}
