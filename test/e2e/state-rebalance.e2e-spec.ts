// Exactly-once state while partitions move between instances: rebalances on join and graceful
// leave (sharing Postgres); a frozen instance (a "zombie") waking up after another took its
// partitions over (Postgres, and one shared SQLite file with changelogs); and instances with their
// own SQLite files handing state over through the changelog.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { encodeEnvelope } from '@samsa/schema';
import { StreamStoreServer, type TopicPartition } from '@samsa/stream-store';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createTopic, kafkaBrokers, produce, uniqueName, waitFor } from '../support/kafka.js';
import { describePostgres, PG_URL } from '../support/postgres.js';
import { spawnWorker, type Worker } from '../support/spawn-worker.js';
import { startStreamApp } from '../support/stream-app.js';
import { COUNTED_TOPIC, countingModule } from './fixtures/counting-worker.module.js';
import {
  committedInKafka,
  countErrors,
  expectedCounts,
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
  type StateTables,
} from './fixtures/counting-worker.support.js';

const apps: INestApplication[] = [];
const workers = new Set<Worker>();
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  for (const worker of workers) {
    worker.process.kill('SIGKILL');
    await worker.exited;
  }
  workers.clear();
});

/** The state letter of a process in /proc (`T`: stopped). */
const processState = (worker: Worker) =>
  /\) (\w) /.exec(readFileSync(`/proc/${worker.process.pid}/stat`, 'utf8'))?.[1];

/** Waits for `text` (or any of several) in a worker's output; a timeout shows the output. */
async function waitForOutput(worker: Worker, text: string | string[]): Promise<void> {
  const texts = [text].flat();
  await waitFor(() => texts.some((one) => worker.output().includes(one)), { timeoutMs: 60_000 }).catch(() => {
    throw new Error(
      `None of ${JSON.stringify(texts)} in the worker's output within 60 s:\n${worker.output()}`,
    );
  });
}

const assigned = (app: INestApplication): TopicPartition[] =>
  app.get(StreamStoreServer).handlerStatus()[0]?.assigned ?? [];
const partitions = (app: INestApplication) =>
  assigned(app)
    .map(({ partition }) => partition)
    .sort();

describePostgres('Instances sharing Postgres', (db) => {
  const nextSchema = freshSchemas(db);

  /** Counting instances on one topic, group and schema. */
  async function cluster(prefix: string) {
    const schema = nextSchema();
    const topic = await createTopic(`${prefix}${COUNTED_TOPIC}`, 3);
    const group = uniqueName('counting');
    const tables = postgresTables(schema);
    const start = async (name: string, delayMs: number) => {
      const app = await startStreamApp(
        countingModule({
          brokers: kafkaBrokers(),
          clientId: name,
          topicPrefix: prefix,
          group,
          store: { type: 'postgres', url: PG_URL, schema },
          delayMs,
        }),
      );
      apps.push(app);
      return app;
    };
    const details = () => `at ${apps.map((app) => JSON.stringify(assigned(app))).join(' / ')}`;
    return { topic, group, tables, start, details };
  }

  it('keeps counts exact while a second and third instance join and the first leaves mid-stream', async () => {
    const { topic, group, tables, start, details } = await cluster(`${uniqueName('rebalance')}.`);
    const half = ROUNDS / 2;
    // ~1 ms a record, so that each rebalance lands while records wait.
    await produceAll(topic, keyedMessages(half));
    const a = await start('a', 1);
    await waitForProgress(tables, group, topic, 0, { details });

    const b = await start('b', 1);
    await waitFor(() => assigned(a).length > 0 && assigned(b).length > 0, {
      timeoutMs: 30_000,
      message: 'a and b sharing the partitions',
    });
    const sharedAt = await processed(tables, group, topic);
    await produceAll(topic, keyedMessages(half, half));
    await waitForProgress(tables, group, topic, sharedAt + 500, { details });

    await a.close();
    await waitFor(() => partitions(b).join() === '0,1,2', {
      timeoutMs: 30_000,
      message: `b owning every partition once a left (${details()})`,
    });
    const leftAt = await processed(tables, group, topic);
    await waitForProgress(tables, group, topic, leftAt + 500, { details });

    const c = await start('c', 1);
    await waitFor(() => assigned(b).length > 0 && assigned(c).length > 0, {
      timeoutMs: 30_000,
      message: 'b and c sharing the partitions',
    });
    const rebalances = `shared at ${sharedAt}, a left at ${leftAt}, c joined at ${await progress(tables, group, topic)}`;

    await waitUntilProcessed(tables, group, topic, { details });
    console.log(`[state-rebalance] of ${2 * half * 500} records: ${rebalances}`);
    expect(countErrors(await tables.counts(), expectedCounts(ROUNDS))).toEqual([]);
  });
});

/** Where two worker processes keep their state: their environment, and how the test reads it. */
interface SharedDatabase {
  env: Record<string, string>;
  tables: StateTables;
}

function fencingTests(freshDatabase: () => SharedDatabase): void {
  it('rolls back the late commit of a frozen instance whose partitions another took over', async () => {
    const { env, tables } = freshDatabase();
    const prefix = `${uniqueName('fencing')}.`;
    const topic = await createTopic(`${prefix}${COUNTED_TOPIC}`, 3);
    const group = uniqueName('counting');
    const spawn = (extra: Record<string, string> = {}) => {
      const worker = spawnWorker('test/e2e/fixtures/counting-worker.ts', {
        KAFKA_BROKERS: kafkaBrokers().join(','),
        TOPIC_PREFIX: prefix,
        GROUP: group,
        ...env,
        ...extra,
      });
      workers.add(worker);
      return worker;
    };
    const onePerPartition = (key: string) =>
      produce(
        topic,
        [0, 1, 2].map((partition) => ({ key, value: encodeEnvelope('Tick:1', {}), partition })),
      );
    // One `stalled` record in the middle of each partition.
    await produceAll(topic, keyedMessages(ROUNDS / 2));
    await onePerPartition('stalled');
    await produceAll(topic, keyedMessages(ROUNDS / 2, ROUNDS / 2));

    // a freezes (SIGSTOP) at the first `stalled` record it handles, mid-batch; its session runs
    // out and b, started now, takes every partition over from the offsets in SQL.
    const a = spawn({ STALL_KEY: 'stalled' });
    await waitForOutput(a, 'stalling at');
    await waitFor(() => processState(a) === 'T', { message: 'a stopped' });
    const b = spawn();
    await waitUntilProcessed(tables, group, topic, { details: () => `b: ${b.output()}` });

    // a thaws and finishes its batch: it must write nothing - fenced before it writes at all when it
    // has changelogs (the group evicted it), else its SQL commit finds the offsets moved on and rolls back.
    const [, partition] = /stalling at (\d+)@/.exec(a.output()) ?? [];
    a.process.kill('SIGCONT');
    await waitForOutput(a, [
      `Partition ${topic}[${partition}] of group ${group} moved on past offset`,
      `${topic}:${partition}: this member was evicted from its group; the batch is left to the new owner`,
    ]);

    // a leaves; b takes every partition again (restoring its state first, where there are
    // changelogs) and counts one more record in each.
    a.process.kill('SIGTERM');
    await a.exited;
    await onePerPartition('after');
    await waitUntilProcessed(tables, group, topic, { details: () => `b: ${b.output()}` });
    const expected = new Map([...expectedCounts(ROUNDS), ['stalled', 3], ['after', 3]]);
    expect(countErrors(await tables.counts(), expected)).toEqual([]);
  });
}

describePostgres('A frozen worker process, on Postgres', (db) => {
  const nextSchema = freshSchemas(db);
  fencingTests(() => {
    const schema = nextSchema();
    return { env: { STORE_URL: PG_URL, STORE_SCHEMA: schema }, tables: postgresTables(schema) };
  });
});

describe('A frozen worker process, on one SQLite file (with changelogs)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-fencing-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  fencingTests(() => {
    const file = join(dir, `state-${files++}.sqlite`);
    return { env: { STORE_FILE: file }, tables: sqliteTables(file) };
  });
});

describe('Instances with their own SQLite files, through changelogs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-handover-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('hand partitions over with their state: the last instance ends with every count exact', async () => {
    const prefix = `${uniqueName('handover')}.`;
    const topic = await createTopic(`${prefix}${COUNTED_TOPIC}`, 3);
    const group = uniqueName('counting');
    const start = async (file: string) => {
      const app = await startStreamApp(
        countingModule({
          brokers: kafkaBrokers(),
          topicPrefix: prefix,
          group,
          store: { type: 'sqlite', database: join(dir, file) },
          delayMs: 1,
        }),
      );
      apps.push(app);
      return app;
    };
    const [aTables, bTables] = [sqliteTables(join(dir, 'a.sqlite')), sqliteTables(join(dir, 'b.sqlite'))];
    const half = ROUNDS / 2;

    await produceAll(topic, keyedMessages(half));
    const a = await start('a.sqlite');
    await waitForProgress(aTables, group, topic, 0);
    // b joins mid-stream: the partitions it gets, it first restores from the changelog.
    const b = await start('b.sqlite');
    await waitFor(() => assigned(a).length > 0 && assigned(b).length > 0, {
      timeoutMs: 30_000,
      message: 'a and b sharing the partitions',
    });
    await produceAll(topic, keyedMessages(half, half));
    const ends = [...(await topicEnds(topic))].map(([p, end]) => `p${p} ${end}`).join(', ');
    await waitFor(async () => (await committedInKafka(group, topic)) === ends, {
      timeoutMs: 60_000,
      message: 'every record counted by a or b',
    });

    // a leaves: b restores a's partitions, offsets included, and holds every count.
    await a.close();
    await waitFor(() => partitions(b).join() === '0,1,2', { timeoutMs: 30_000, message: 'b owning all' });
    await waitUntilProcessed(bTables, group, topic);
    expect(countErrors(await bTables.counts(), expectedCounts(ROUNDS))).toEqual([]);
  });
});
