// Exactly-once state while partitions move between instances sharing Postgres: rebalances on join
// and graceful leave, and an instance that stalls past its session while another takes over.
import { Logger, type INestApplication } from '@nestjs/common';
import { encodeEnvelope } from '@samsa/schema';
import { StreamStoreServer, type TopicPartition } from '@samsa/stream-store';
import { afterEach, expect, it, vi } from 'vitest';
import { createTopic, kafkaBrokers, produce, uniqueName, waitFor } from '../support/kafka.js';
import { describePostgres, PG_URL } from '../support/postgres.js';
import { startStreamApp } from '../support/stream-app.js';
import { COUNTED_TOPIC, countingModule, type CountingGate } from './fixtures/counting-worker.module.js';
import {
  countErrors,
  expectedCounts,
  freshSchemas,
  keyedMessages,
  postgresTables,
  processed,
  produceAll,
  progress,
  ROUNDS,
  waitForProgress,
  waitUntilProcessed,
} from './fixtures/counting-worker.support.js';

const apps: INestApplication[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  vi.restoreAllMocks();
});

const assigned = (app: INestApplication): TopicPartition[] =>
  app.get(StreamStoreServer).handlerStatus()[0]?.assigned ?? [];
const partitions = (app: INestApplication) =>
  assigned(app)
    .map(({ partition }) => partition)
    .sort();

describePostgres('StateStore across instances sharing Postgres', (db) => {
  const nextSchema = freshSchemas(db);

  /** Counting instances on one topic, group and schema. */
  async function cluster(prefix: string) {
    const schema = nextSchema();
    const topic = await createTopic(`${prefix}${COUNTED_TOPIC}`, 3);
    const group = uniqueName('counting');
    const tables = postgresTables(schema);
    const start = async (name: string, options: { delayMs?: number; gate?: CountingGate } = {}) => {
      const app = await startStreamApp(
        countingModule({
          brokers: kafkaBrokers(),
          clientId: name,
          topicPrefix: prefix,
          group,
          store: { type: 'postgres', url: PG_URL, schema },
          ...options,
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
    const a = await start('a', { delayMs: 1 });
    await waitForProgress(tables, group, topic, 0, { details });

    const b = await start('b', { delayMs: 1 });
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

    const c = await start('c', { delayMs: 1 });
    await waitFor(() => assigned(b).length > 0 && assigned(c).length > 0, {
      timeoutMs: 30_000,
      message: 'b and c sharing the partitions',
    });
    const rebalances = `shared at ${sharedAt}, a left at ${leftAt}, c joined at ${await progress(tables, group, topic)}`;

    await waitUntilProcessed(tables, group, topic, { details });
    console.log(`[state-rebalance] of ${2 * half * 500} records: ${rebalances}`);
    expect(countErrors(await tables.counts(), expectedCounts(ROUNDS))).toEqual([]);
  });

  it('rolls back the late commit of an instance that stalled while another took its partition', async () => {
    const { topic, group, tables, start, details } = await cluster(`${uniqueName('fencing')}.`);
    const warn = vi.spyOn(Logger.prototype, 'warn');
    let reached!: () => void;
    let release!: () => void;
    const gate: CountingGate = {
      key: 'stalled',
      reached: () => reached(),
      release: new Promise<void>((resolve) => (release = resolve)),
    };
    const stalled = new Promise<void>((resolve) => (reached = resolve));
    try {
      const a = await start('a', { gate });
      const b = await start('b');
      await waitFor(() => assigned(a).length > 0 && assigned(b).length > 0, {
        timeoutMs: 30_000,
        message: 'a and b sharing the partitions',
      });
      const partition = assigned(a)[0].partition;

      // a stops at the `stalled` record, in the middle of its partition; its session runs out,
      // b takes every partition over from the offsets in SQL and counts everything.
      await produceAll(topic, keyedMessages(ROUNDS / 2));
      await produce(topic, [{ key: 'stalled', value: encodeEnvelope('Tick:1', {}), partition }]);
      await produceAll(topic, keyedMessages(ROUNDS / 2, ROUNDS / 2));
      await stalled;
      await waitUntilProcessed(tables, group, topic, { details });
      expect(partitions(b)).toEqual([0, 1, 2]);

      // a wakes up and finishes its batch: its commit must find the offsets moved and roll back.
      release();
      const rolledBack = `Partition ${topic}[${partition}] of group ${group} moved on past offset`;
      await waitFor(() => warn.mock.calls.some(([message]) => String(message).startsWith(rolledBack)), {
        timeoutMs: 30_000,
        message: `a's commit rejected (warnings: ${JSON.stringify(warn.mock.calls)})`,
      });
    } finally {
      release();
    }
    await waitUntilProcessed(tables, group, topic, { details });
    const expected = new Map([...expectedCounts(ROUNDS), ['stalled', 1]]);
    expect(countErrors(await tables.counts(), expected)).toEqual([]);
  });
});
