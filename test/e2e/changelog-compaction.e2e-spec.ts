import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { INestApplication } from '@nestjs/common';
import { encodeEnvelope } from '@samsa/schema';
import { afterEach, describe, expect, it } from 'vitest';
import { createKafka, createTopic, kafkaBrokers, produce, uniqueName, waitFor } from '../support/kafka.js';
import { startStreamApp } from '../support/stream-app.js';
import { spawnWorker } from '../support/spawn-worker.js';
import { bulkValue } from './fixtures/bulk-worker.js';
import { globCountingApp, sqliteRows, storedCounts } from './fixtures/glob-counting-app.js';
import { readTopic } from './fixtures/read-topic.js';

const BULK_WORKER = 'test/e2e/fixtures/bulk-worker.ts';
const KEYS = Array.from({ length: 10 }, (_, i) => `k${i}`);
const tempDb = () => join(mkdtempSync(join(tmpdir(), 'samsa-compaction-')), 'state.sqlite');
const events = (keys: readonly string[]) =>
  keys.map((key) => ({ key, value: encodeEnvelope('Event:1', {}) }));

let app: INestApplication | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const counts = storedCounts;
const rows = sqliteRows;
const offsets = (database: string) =>
  new Map(
    rows<{ topic: string; next_offset: number }>(
      database,
      'SELECT "topic", "next_offset" FROM samsa_offsets',
    ).map((row) => [row.topic, row.next_offset]),
  );

/** The next offset of a one-partition topic: how many records were ever written to it. */
async function logEnd(topic: string): Promise<number> {
  const admin = createKafka().admin();
  await admin.connect();
  try {
    const [{ high }] = await admin.fetchTopicOffsets(topic);
    return Number(high);
  } finally {
    await admin.disconnect();
  }
}

describe('restore from a compacted changelog', () => {
  it('a fresh instance restores every consumed position, and counts each record once', async () => {
    const prefix = `${uniqueName('compact')}.`;
    const appId = uniqueName('app');
    const group = uniqueName('group');
    const [a, b] = [`${prefix}events.a`, `${prefix}events.b`];
    await createTopic(a, 1);
    await createTopic(b, 1);
    // The changelog as compaction-eager as the broker allows: closed segments every 200 ms.
    const changelog = `${prefix}${appId}-counts-changelog`;
    await createTopic(changelog, 1, {
      'cleanup.policy': 'compact',
      'segment.ms': '200',
      'min.cleanable.dirty.ratio': '0.01',
      'min.compaction.lag.ms': '0',
    });

    const first = tempDb();
    app = await startStreamApp(globCountingApp(prefix, appId, group, first));
    await produce(a, events(['solo', ...KEYS]));
    await waitFor(() => counts(first).get('k9') === 1, { timeoutMs: 30_000, message: 'first round counted' });
    for (let round = 2; round <= 6; round++) {
      await produce(a, events(KEYS));
      await waitFor(() => KEYS.every((key) => counts(first).get(key) === round), {
        timeoutMs: 30_000,
        message: `round ${round} counted`,
      });
    }
    await produce(b, events(KEYS));
    await waitFor(() => KEYS.every((key) => counts(first).get(key) === 7), {
      timeoutMs: 30_000,
      message: 'events.b counted',
    });
    await app.close();
    app = undefined;

    // 7 batches of changes: 71 state records (and their position records) were written.
    const written = await logEnd(changelog);
    expect(written).toBeGreaterThanOrEqual(71);
    // Only closed segments are cleaned: a tombstone of an unused key now and then closes the active one.
    let left = written;
    await waitFor(
      async () => {
        await produce(changelog, [{ key: 'roll', value: null }]);
        left = (await readTopic(changelog)).filter((record) => record.key?.toString() !== 'roll').length;
        // 11 keys and 2 positions survive compaction (plus a few in the active segment).
        return left <= 20;
      },
      {
        timeoutMs: 60_000,
        intervalMs: 1_000,
        message: `changelog compacted (${left} of ${written} records left)`,
      },
    );

    const fresh = tempDb();
    app = await startStreamApp(globCountingApp(prefix, appId, group, fresh));
    await waitFor(() => offsets(fresh).get(a) === 61 && offsets(fresh).get(b) === 10, {
      timeoutMs: 30_000,
      message: 'fresh instance restored its positions',
    });
    // A wrong position would show as records counted again: give them time to be.
    await sleep(3_000);
    const restored = counts(fresh);
    expect(restored.get('solo')).toBe(1);
    for (const key of KEYS) expect(restored.get(key), key).toBe(7);
    expect(offsets(fresh)).toEqual(
      new Map([
        [a, 61],
        [b, 10],
      ]),
    );
    console.log(
      `changelog: ${written} records written, ${left} left after compaction; fresh instance counts exact`,
    );
  });

  it('a restore killed midway goes on from its last checkpoint, and the state is exact', async () => {
    const prefix = `${uniqueName('bulk')}.`;
    const env = {
      KAFKA_BROKERS: kafkaBrokers().join(','),
      TOPIC_PREFIX: prefix,
      APP_ID: uniqueName('bulk-app'),
      GROUP: uniqueName('bulk-group'),
    };
    const [batches, perBatch] = [10, 5_000];
    await createTopic(`${prefix}bulk-input`, 1);
    const writerDb = tempDb();
    const writer = spawnWorker(BULK_WORKER, { ...env, DB: writerDb });
    await produce(
      `${prefix}bulk-input`,
      Array.from({ length: batches }, (_, batch) => ({
        key: `batch-${batch}`,
        value: encodeEnvelope('Bulk:1', { batch, keys: perBatch }),
      })),
    );
    const stateRows = (database: string) =>
      rows<{ count: number }>(
        database,
        `SELECT COUNT(*) AS "count" FROM samsa_state WHERE "store" = 'bulk'`,
      )[0].count;
    await waitFor(() => stateRows(writerDb) === batches * perBatch, {
      timeoutMs: 90_000,
      message: `changelog written: ${writer.output().slice(-1000)}`,
    });
    writer.process.kill('SIGTERM');
    expect(await writer.exited).toBe(0);
    const changelog = `${prefix}${env.APP_ID}-bulk-changelog`;
    const end = await logEnd(changelog);
    expect(end).toBeGreaterThanOrEqual(batches * perBatch);

    // A fresh instance restores; it is killed once a few of its transactions are in.
    const db = tempDb();
    const checkpoint = () =>
      rows<{ next_offset: number }>(
        db,
        `SELECT "next_offset" FROM samsa_checkpoints WHERE "store" = 'bulk'`,
      )[0]?.next_offset ?? 0;
    const first = spawnWorker(BULK_WORKER, { ...env, DB: db });
    await waitFor(() => checkpoint() > 0, {
      timeoutMs: 60_000,
      intervalMs: 5,
      message: `restore started: ${first.output().slice(-1000)}`,
    });
    const killedAt = checkpoint();
    first.process.kill('SIGKILL');
    await first.exited;
    const resumedFrom = checkpoint();
    expect(resumedFrom).toBeGreaterThanOrEqual(killedAt);
    expect(resumedFrom, 'killed before the restore ended').toBeLessThan(end);

    const second = spawnWorker(BULK_WORKER, { ...env, DB: db });
    await waitFor(() => /Restored bulk\[0\]: (\d+) records/.exec(second.output()), {
      timeoutMs: 60_000,
      message: `second restore done: ${second.output().slice(-1000)}`,
    });
    second.process.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.output()).toContain(`offsets ${resumedFrom}..${end}`);
    const reread = Number(/Restored bulk\[0\]: (\d+) records/.exec(second.output())?.[1]);
    expect(reread).toBe(end - resumedFrom);

    expect(stateRows(db)).toBe(batches * perBatch);
    const wrong = rows<{ key: string; value: string }>(
      db,
      `SELECT "key", "value" FROM samsa_state WHERE "store" = 'bulk'`,
    ).filter(({ key, value }) => {
      const [batch, i] = key.slice(1).split('-').map(Number);
      return JSON.parse(value) !== bulkValue(batch, i);
    });
    expect(wrong).toEqual([]);
    console.log(`restore of ${end} records killed at checkpoint ${resumedFrom}; the next one read ${reread}`);
  });
});
