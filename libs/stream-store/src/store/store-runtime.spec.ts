import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { afterAll, describe, expect, it } from 'vitest';
import { describePostgres, pgQuery } from '../../../../test/support/postgres.js';
import { ConfigurationError } from '../errors/configuration.error.js';
import type { StoreConnectionOptions } from '../interfaces/stream-store-options.interface.js';
import { resolveOptions } from '../options/resolve-options.js';
import { StoreRuntime } from './store-runtime.js';

const directory = mkdtempSync(join(tmpdir(), 'samsa-runtime-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

let files = 0;
const sqlite = (): StoreConnectionOptions => ({
  type: 'sqlite',
  database: join(directory, `state-${++files}.sqlite`),
});
const runtimeOn = (store: StoreConnectionOptions) =>
  new StoreRuntime(resolveOptions({ brokers: 'localhost:9092', store }));

describe('StoreRuntime', () => {
  describe('declare', () => {
    const runtime = runtimeOn(sqlite());

    it.each(['orders', 'a', 'Order_totals.v2-x', 'x'.repeat(64)])('accepts the name %j', (name) => {
      expect(runtime.declare({ name }).name).toBe(name);
    });

    it.each(['', 'has space', 'a/b', 'é', 'x'.repeat(65)])(
      'rejects the name %j with how to fix it',
      (name) => {
        expect(() => runtime.declare({ name })).toThrow(ConfigurationError);
        expect(() => runtime.declare({ name })).toThrow(/use 1 to 64 letters, digits, "_", "." or "-"/);
      },
    );

    it('rejects a ttl that is not a duration', () => {
      expect(() => runtime.declare({ name: 'ttl', ttl: '7 days' })).toThrow(/ttl "7 days" is not a duration/);
      expect(() => runtime.declare({ name: 'ttl', ttl: 0 })).toThrow(ConfigurationError);
    });

    it('gives an identical repeat the same store, and refuses a different one', () => {
      const store = runtime.declare({ name: 'repeated', ttl: '1h' });
      expect(runtime.declare({ name: 'repeated', ttl: 3_600_000 })).toBe(store);
      expect(runtime.store('repeated')).toBe(store);
      expect(() => runtime.declare({ name: 'repeated' })).toThrow(/declared twice with different ttl/);
      class Value {}
      expect(() => runtime.declare({ name: 'repeated', ttl: '1h', valueClass: Value })).toThrow(
        ConfigurationError,
      );
    });

    it('turns changelogs on by default on SQLite only', () => {
      runtime.declare({ name: 'logged', changelog: true });
      expect(() => runtime.declare({ name: 'logged' })).not.toThrow();
      const postgres = runtimeOn({ type: 'postgres', url: 'postgres://localhost/db' });
      postgres.declare({ name: 'logged', changelog: false });
      expect(() => postgres.declare({ name: 'logged' })).not.toThrow();
    });

    it('names the fix for an undeclared store', () => {
      expect(() => runtime.store('nope')).toThrow(/StreamStoreModule.forFeature\(\['nope'\]\)/);
    });
  });

  describe('database', () => {
    it('is not opened without stores', async () => {
      const store = sqlite();
      const runtime = runtimeOn(store);
      expect(await runtime.ledger()).toBeUndefined();
      expect(runtime.hasStores).toBe(false);
      expect(await runtime.ping()).toBe(true);
      await runtime.close();
      expect(existsSync(join(directory, `state-${files}.sqlite`))).toBe(false);
    });

    it('opens on the first operation, in WAL mode, and closes', async () => {
      const runtime = runtimeOn(sqlite());
      const file = join(directory, `state-${files}.sqlite`);
      const store = runtime.declare({ name: 'lazy' });
      expect(existsSync(file)).toBe(false);
      await store.set('k', 1);
      expect(existsSync(file)).toBe(true);
      const [ledger, again] = await Promise.all([runtime.ledger(), runtime.ledger()]);
      expect(ledger).toBe(again);
      await runtime.close();
      await runtime.close();
      const db = new Database(file);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.prepare('SELECT "value" FROM samsa_state').all()).toEqual([{ value: '1' }]);
      db.close();
      await expect(store.get('k')).rejects.toThrow(/State stores are closed/);
    });

    it("keeps its writes out of an application's transaction on a shared SQLite connection", async () => {
      const dataSource = new DataSource({
        type: 'better-sqlite3',
        database: join(directory, 'shared.sqlite'),
      });
      await dataSource.initialize();
      const runtime = runtimeOn({ dataSource });
      const store = runtime.declare({ name: 's' });
      await store.set('before', 0);
      const transaction = dataSource.createQueryRunner();
      await transaction.startTransaction();
      const write = store.set('k', 1);
      await sleep(20);
      await transaction.rollbackTransaction();
      await write;
      expect(await store.get('k')).toBe(1);
      await runtime.close();
      await dataSource.destroy();
    });

    it('explains an unusable SQLite file, and tries again on the next operation', async () => {
      const blocker = join(directory, 'blocker');
      writeFileSync(blocker, 'not a directory');
      const runtime = runtimeOn({ type: 'sqlite', database: join(blocker, 'state.sqlite') });
      const store = runtime.declare({ name: 's' });
      const failure = runtime.ledger();
      await expect(failure).rejects.toBeInstanceOf(ConfigurationError);
      await expect(failure).rejects.toThrow(
        /State stores: cannot open SQLite file ".*blocker\/state.sqlite": .*Check that its directory is writable/,
      );
      rmSync(blocker);
      await store.set('k', 1);
      expect(await store.get('k')).toBe(1);
      await runtime.close();
    });

    it('explains an unreachable Postgres without showing its password', async () => {
      const runtime = runtimeOn({ type: 'postgres', url: 'postgres://samsa:secret@127.0.0.1:1/state' });
      runtime.declare({ name: 's' });
      const failure = await runtime.ledger().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ConfigurationError);
      expect((failure as Error).message).toMatch(
        /^State stores: cannot open Postgres at postgres:\/\/samsa:\*\*\*@127\.0\.0\.1:1\/state \(schema "public"\): .*ECONNREFUSED.*Check that Postgres runs/,
      );
      expect((failure as Error).message).not.toContain('secret');
      expect(await runtime.ping()).toBe(false);
      await runtime.close();
    });
  });
});

describePostgres('StoreRuntime on Postgres', (db) => {
  const schema = `${db.schema}_created`;
  afterAll(() => pgQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));

  it('creates its schema and tables, keys sorted by bytes', async () => {
    const runtime = runtimeOn({ type: 'postgres', url: db.url, schema });
    runtime.declare({ name: 's' });
    await runtime.ledger();
    expect(await runtime.ping()).toBe(true);
    await runtime.close();
    const { rows } = await pgQuery(
      `SELECT table_name, column_name, collation_name FROM information_schema.columns
       WHERE table_schema = $1 AND column_name = 'key'`,
      [schema],
    );
    expect(rows).toEqual([{ table_name: 'samsa_state', column_name: 'key', collation_name: 'C' }]);
  });

  it('creates the tables when instances start together', async () => {
    const runtimes = Array.from({ length: 4 }, () =>
      runtimeOn({ type: 'postgres', url: db.url, schema: `${schema}_race` }),
    );
    try {
      await Promise.all(runtimes.map((runtime) => (runtime.declare({ name: 's' }), runtime.ledger())));
    } finally {
      await Promise.all(runtimes.map((runtime) => runtime.close()));
      await pgQuery(`DROP SCHEMA IF EXISTS "${schema}_race" CASCADE`);
    }
  });
});
