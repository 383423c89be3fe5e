// StateStore<T> on real Kafka: exact counts on SQLite and Postgres, and reads over HTTP while the
// stream runs. The counting app is in fixtures/counting-worker.module.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import {
  getStateStoreToken,
  StreamStoreServer,
  type StateStore,
  type StoreConnectionOptions,
} from '@samsa/stream-store';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createTopic, kafkaBrokers, uniqueName, waitFor } from '../support/kafka.js';
import { describePostgres, PG_URL } from '../support/postgres.js';
import { startStreamApp } from '../support/stream-app.js';
import { COUNTED_TOPIC, countingModule } from './fixtures/counting-worker.module.js';
import {
  countErrors,
  expectedCounts,
  freshSchemas,
  keyedMessages,
  keyOf,
  KEYS,
  postgresTables,
  produceAll,
  ROUNDS,
  sqliteTables,
  waitUntilProcessed,
  type StateTables,
} from './fixtures/counting-worker.support.js';

/** A fresh database for one test: where the app keeps its state, and how the test reads it. */
interface TestDatabase {
  store: StoreConnectionOptions;
  tables: StateTables;
}

const apps: INestApplication[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** A counting app on its own topic and group; `status()` tells what its handler is doing. */
async function startCounting(database: TestDatabase) {
  const prefix = `${uniqueName('state')}.`;
  const topic = await createTopic(`${prefix}${COUNTED_TOPIC}`, 3);
  const group = uniqueName('counting');
  const start = async () => {
    const app = await startStreamApp(
      countingModule({ brokers: kafkaBrokers(), topicPrefix: prefix, group, store: database.store }),
    );
    apps.push(app);
    return app;
  };
  return { topic, group, start };
}

const status = (app: INestApplication) => JSON.stringify(app.get(StreamStoreServer).handlerStatus());

function stateStoreTests(freshDatabase: () => TestDatabase): void {
  it('counts 10 000 keyed records over 3 partitions exactly', async () => {
    const database = freshDatabase();
    const { topic, group, start } = await startCounting(database);
    const messages = keyedMessages();
    // Half waits in the topic before the app starts, half arrives while it runs.
    await produceAll(topic, messages.slice(0, messages.length / 2));
    const app = await start();
    await produceAll(topic, messages.slice(messages.length / 2));

    await waitUntilProcessed(database.tables, group, topic, { details: () => status(app) });

    expect(countErrors(await database.tables.counts(), expectedCounts(ROUNDS))).toEqual([]);
    const store = app.get<StateStore<number>>(getStateStoreToken('counts'), { strict: false });
    expect(await store.count()).toBe(KEYS);
    expect(await store.get(keyOf(KEYS - 1))).toBe(ROUNDS);
  });

  it('serves counts over HTTP while the stream runs: they only grow, and end exact', async () => {
    const database = freshDatabase();
    const { topic, group, start } = await startCounting(database);
    const app = await start();
    await app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/counts`;

    const seen = new Map<string, number>();
    const regressions: string[] = [];
    const totals: number[] = [];
    /** One GET of every count; remembers any key whose count went down or vanished. */
    const observe = async () => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`GET /counts: ${response.status} ${await response.text()}`);
      const counts = (await response.json()) as Record<string, number>;
      for (const [key, before] of seen) {
        const now = counts[key];
        if (now === undefined || now < before) regressions.push(`${key}: ${before} then ${now}`);
      }
      for (const [key, count] of Object.entries(counts)) seen.set(key, count);
      const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
      totals.push(total);
      return total;
    };
    const observeUntil = (total: number) =>
      waitFor(async () => (await observe()) === total, { timeoutMs: 60_000, intervalMs: 20 }).catch(
        (error: Error) => {
          throw new Error(`GET /counts never added up to ${total} (last: ${totals.at(-1)}): ${status(app)}`, {
            cause: error,
          });
        },
      );

    const half = ROUNDS / 2;
    await Promise.all([produceAll(topic, keyedMessages(half), 500), observeUntil(half * KEYS)]);
    const one = await fetch(`${url}/${keyOf(7)}`);
    expect(await one.json()).toEqual({ key: keyOf(7), count: half });

    await Promise.all([produceAll(topic, keyedMessages(half, half), 500), observeUntil(ROUNDS * KEYS)]);
    await waitUntilProcessed(database.tables, group, topic, { details: () => status(app) });

    expect(regressions).toEqual([]);
    expect(totals).toContain(half * KEYS);
    expect(Object.fromEntries(seen)).toEqual(Object.fromEntries(expectedCounts(ROUNDS)));
    expect(countErrors(await database.tables.counts(), expectedCounts(ROUNDS))).toEqual([]);
    console.log(
      `[state-store] ${totals.length} reads over HTTP, ${new Set(totals).size} distinct totals on the way`,
    );
  });
}

describe('StateStore on SQLite (a file), real Kafka', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-state-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  stateStoreTests(() => {
    const file = join(dir, `state-${files++}.sqlite`);
    return { store: { type: 'sqlite', database: file }, tables: sqliteTables(file) };
  });
});

describePostgres('StateStore on Postgres, real Kafka', (db) => {
  const nextSchema = freshSchemas(db);
  stateStoreTests(() => {
    const schema = nextSchema();
    return { store: { type: 'postgres', url: PG_URL, schema }, tables: postgresTables(schema) };
  });
});
