// Exactly-once state through crashes: a counting worker process (fixtures/counting-worker.ts) is
// SIGKILLed at random moments mid-stream and restarted, and Kafka's offsets fall behind the ones
// stored in SQL; the counts in SQL must stay exact.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { INestApplication } from '@nestjs/common';
import {
  KafkajsClient,
  StreamStoreServer,
  type KafkaClient,
  type StoreConnectionOptions,
} from '@samsa/stream-store';
import { KafkaJSNonRetriableError, logLevel } from 'kafkajs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createTopic, kafkaBrokers, uniqueName, waitFor } from '../support/kafka.js';
import { describePostgres, PG_URL } from '../support/postgres.js';
import { spawnWorker, type Worker } from '../support/spawn-worker.js';
import { startStreamApp } from '../support/stream-app.js';
import { COUNTED_TOPIC, countingModule } from './fixtures/counting-worker.module.js';
import {
  committedInKafka,
  countErrors,
  expectedCounts,
  failingChangelogOffsetsOnce,
  freshSchemas,
  keyedMessages,
  postgresTables,
  processed,
  produceAll,
  progress,
  ROUNDS,
  sqliteTables,
  topicEnds,
  waitForProgress,
  waitUntilProcessed,
  withoutKafkaCommits,
  type StateTables,
} from './fixtures/counting-worker.support.js';

const KILLS = 5;

const running = new Set<Worker>();
const apps: INestApplication[] = [];
afterEach(async () => {
  for (const worker of running) worker.process.kill('SIGKILL');
  await Promise.all([...running].map((worker) => worker.exited));
  running.clear();
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

const randomMs = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

/** A fresh database for one test: as the app's option, as a worker's environment, and for reading. */
interface TestDatabase {
  store: StoreConnectionOptions;
  env: Record<string, string>;
  tables: StateTables;
}

function crashTests(freshDatabase: () => TestDatabase): void {
  it(`keeps every count exact through ${KILLS} SIGKILLs while 10 000 more records are processed`, async () => {
    const { env, tables } = freshDatabase();
    const prefix = `${uniqueName('crash')}.`;
    const topic = await createTopic(`${prefix}${COUNTED_TOPIC}`, 3);
    const group = uniqueName('counting');
    let worker: Worker | undefined;
    const kills: string[] = [];
    const output = () => `SIGKILLs:\n  ${kills.join('\n  ')}\nWorker output:\n${worker?.output()}`;
    const start = (delayMs: number) => {
      worker = spawnWorker('test/e2e/fixtures/counting-worker.ts', {
        KAFKA_BROKERS: kafkaBrokers().join(','),
        TOPIC_PREFIX: prefix,
        GROUP: group,
        DELAY_MS: String(delayMs),
        ...env,
      });
      running.add(worker);
      return worker;
    };
    const stop = async (current: Worker) => {
      // Before its signal handlers are installed, SIGTERM would kill the worker outright.
      await waitFor(() => current.output().includes('started'), { timeoutMs: 60_000, message: output() });
      current.process.kill('SIGTERM');
      expect(await current.exited).toBe(0);
      running.delete(current);
    };

    // Phase 1: 10 000 records, no crash, then a graceful stop.
    await produceAll(topic, keyedMessages());
    const first = start(0);
    await waitUntilProcessed(tables, group, topic, { details: output });
    await stop(first);
    expect(countErrors(await tables.counts(), expectedCounts(ROUNDS))).toEqual([]);

    // Phase 2: 10 000 more, at ~1 ms a record so that the backlog lasts; each worker is killed at a
    // random moment after it committed something, and a new one started.
    await produceAll(topic, keyedMessages(ROUNDS, ROUNDS));
    for (let i = 0; i < KILLS; i++) {
      const current = start(1);
      const spawned = Date.now();
      await waitForProgress(tables, group, topic, await processed(tables, group, topic), {
        details: output,
      });
      const progressed = Date.now() - spawned;
      const delay = randomMs(300, 1500);
      await sleep(delay);
      current.process.kill('SIGKILL');
      await current.exited;
      running.delete(current);
      const [sql, kafka] = await Promise.all([
        progress(tables, group, topic),
        committedInKafka(group, topic),
      ]);
      kills.push(
        `committed ${progressed} ms after its start, killed ${delay} ms later: SQL ${sql}; Kafka ${kafka}`,
      );
    }

    const last = start(0);
    await waitUntilProcessed(tables, group, topic, { details: output });
    console.log(`[state-crash] SIGKILLs:\n  ${kills.join('\n  ')}`);
    expect(countErrors(await tables.counts(), expectedCounts(2 * ROUNDS))).toEqual([]);
    await stop(last);
  }, 150_000);

  it('counts nothing twice when Kafka has none of the offsets committed in SQL', async () => {
    const { store, tables } = freshDatabase();
    const prefix = `${uniqueName('lost-commits')}.`;
    const topic = await createTopic(`${prefix}${COUNTED_TOPIC}`, 3);
    const group = uniqueName('counting');
    const start = async (client?: KafkaClient) => {
      const app = await startStreamApp(
        countingModule({ brokers: kafkaBrokers(), topicPrefix: prefix, group, store, client }),
      );
      apps.push(app);
      return app;
    };

    await produceAll(topic, keyedMessages());
    const kafka = new KafkajsClient({
      brokers: kafkaBrokers(),
      clientId: 'no-commits',
      logLevel: logLevel.NOTHING,
    });
    const forgetful = await start(withoutKafkaCommits(kafka));
    await waitUntilProcessed(tables, group, topic);
    await forgetful.close();
    expect(await committedInKafka(group, topic)).toBe('p0 -, p1 -, p2 -');
    expect(countErrors(await tables.counts(), expectedCounts(ROUNDS))).toEqual([]);

    // A new instance fetches from the earliest offsets: everything below SQL's must be skipped.
    await start();
    await produceAll(topic, keyedMessages(ROUNDS, ROUNDS));
    await waitUntilProcessed(tables, group, topic);
    expect(countErrors(await tables.counts(), expectedCounts(2 * ROUNDS))).toEqual([]);
    const ends = [...(await topicEnds(topic))].map(([p, end]) => `p${p} ${end}`).join(', ');
    let committed = '';
    await waitFor(async () => (committed = await committedInKafka(group, topic)) === ends, {
      timeoutMs: 30_000,
    }).catch(() => expect(committed, 'Kafka offsets catch up with SQL').toBe(ends));
  });
}

describe('StateStore on SQLite through crashes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-crash-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  crashTests(() => {
    const file = join(dir, `state-${files++}.sqlite`);
    return {
      store: { type: 'sqlite', database: file },
      env: { STORE_FILE: file },
      tables: sqliteTables(file),
    };
  });
});

describePostgres('StateStore on Postgres through crashes', (db) => {
  const nextSchema = freshSchemas(db);
  crashTests(() => {
    const schema = nextSchema();
    return {
      store: { type: 'postgres', url: PG_URL, schema },
      env: { STORE_URL: PG_URL, STORE_SCHEMA: schema },
      tables: postgresTables(schema),
    };
  });
});

describe('StateStore on SQLite: changelog restore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-restore-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Seen in about one run in five of the SIGKILL test above: KafkaJS's admin.fetchTopicOffsets
  // throws this when another metadata call races it on the same admin (tulios/kafkajs#461; here
  // the changelog writer's describeTopics), and the restarted worker never consumed again.
  it('goes on after a failed changelog restore (a transient Kafka admin error)', async () => {
    const file = join(dir, 'state.sqlite');
    const tables = sqliteTables(file);
    const prefix = `${uniqueName('restore')}.`;
    const topic = await createTopic(`${prefix}${COUNTED_TOPIC}`, 3);
    const group = uniqueName('counting');
    const start = async (client?: KafkaClient) => {
      const app = await startStreamApp(
        countingModule({
          brokers: kafkaBrokers(),
          topicPrefix: prefix,
          group,
          store: { type: 'sqlite', database: file },
          client,
        }),
      );
      apps.push(app);
      return app;
    };

    // A first instance counts (and so writes the changelog), then leaves.
    await produceAll(topic, keyedMessages());
    const first = await start();
    await waitUntilProcessed(tables, group, topic);
    await first.close();

    // The next one fails once to read the changelog's end offsets, on its first restore.
    const kafka = new KafkajsClient({
      brokers: kafkaBrokers(),
      clientId: 'flaky',
      logLevel: logLevel.NOTHING,
    });
    const transient = new KafkaJSNonRetriableError(
      new TypeError("Cannot destructure property 'partitions' of 'low.pop(...)' as it is undefined."),
    );
    const second = await start(failingChangelogOffsetsOnce(kafka, transient));
    await produceAll(topic, keyedMessages(ROUNDS, ROUNDS));
    const status = () => JSON.stringify(second.get(StreamStoreServer).handlerStatus());
    await waitUntilProcessed(tables, group, topic, { timeoutMs: 30_000, details: status });
    expect(countErrors(await tables.counts(), expectedCounts(2 * ROUNDS))).toEqual([]);
  });
});
