import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { INestApplication } from '@nestjs/common';
import BetterSqlite3 from 'better-sqlite3';
import { encodeEnvelope } from '@samsa/schema';
import { CHANGELOG_HEADERS } from '@samsa/stream-store';
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

  it('a batch whose position record never reached the changelog is not restored: its records count once', async () => {
    const prefix = `${uniqueName('orphan')}.`;
    const appId = uniqueName('app');
    const group = uniqueName('group');
    const topic = `${prefix}events.a`;
    await createTopic(topic, 1);
    const first = tempDb();
    app = await startStreamApp(globCountingApp(prefix, appId, group, first));
    await produce(topic, events(KEYS));
    await waitFor(() => KEYS.every((key) => counts(first).get(key) === 1), {
      timeoutMs: 30_000,
      message: 'first round counted',
    });
    await app.close();
    app = undefined;

    // What a writer killed between a batch's changes and its position record leaves: the changes of
    // offsets 10..19 (each key counted a second time), never committed in SQL.
    const changelog = `${prefix}${appId}-counts-changelog`;
    const producer = createKafka().producer();
    await producer.connect();
    await producer.send({
      topic: changelog,
      messages: KEYS.map((key, index) => ({
        key,
        value: '2',
        partition: 0,
        headers:
          index > 0
            ? {}
            : {
                [CHANGELOG_HEADERS.group]: group,
                [CHANGELOG_HEADERS.topic]: topic,
                [CHANGELOG_HEADERS.partition]: '0',
                [CHANGELOG_HEADERS.epoch]: String(Date.now() + 60_000),
                [CHANGELOG_HEADERS.records]: String(KEYS.length),
                [CHANGELOG_HEADERS.batchFrom]: '10',
                [CHANGELOG_HEADERS.batchTo]: '20',
              },
      })),
    });
    await producer.disconnect();
    // The records that batch had handled are handled again, by a fresh instance.
    await produce(topic, events(KEYS));
    const fresh = tempDb();
    app = await startStreamApp(globCountingApp(prefix, appId, group, fresh));
    await waitFor(() => offsets(fresh).get(topic) === 20, {
      timeoutMs: 30_000,
      message: 'fresh instance done',
    });
    expect(Object.fromEntries(counts(fresh))).toEqual(Object.fromEntries(KEYS.map((key) => [key, 2])));
  });

  it('a file that committed a batch whose position record never reached the changelog is rebuilt, not mixed with the redo', async () => {
    const prefix = `${uniqueName('ahead')}.`;
    const appId = uniqueName('app');
    const group = uniqueName('group');
    const topic = `${prefix}events.a`;
    await createTopic(topic, 1);
    const first = tempDb();
    app = await startStreamApp(globCountingApp(prefix, appId, group, first));
    await produce(topic, events(KEYS));
    await waitFor(() => offsets(first).get(topic) === 10, {
      timeoutMs: 30_000,
      message: 'first instance done',
    });
    await app.close();
    app = undefined;

    // Another instance takes over and handles offsets 10-11.
    await produce(topic, events(['k0', 'k1']));
    const second = tempDb();
    app = await startStreamApp(globCountingApp(prefix, appId, group, second));
    await waitFor(() => offsets(second).get(topic) === 12, {
      timeoutMs: 30_000,
      message: 'second instance done',
    });
    await app.close();
    app = undefined;
    await produce(topic, events(['k2', 'k0', 'k3']));

    // The first file as if it had handled offsets 10-14 in one batch, committed, and stopped before
    // that batch's position record reached the changelog: the redo above never saw it.
    const db = new BetterSqlite3(first);
    db.prepare(`UPDATE samsa_offsets SET next_offset = 15 WHERE topic = ?`).run(topic);
    const set = db.prepare(`UPDATE samsa_state SET value = ? WHERE store = 'counts' AND key = ?`);
    for (const [key, count] of [
      ['k0', 3],
      ['k1', 2],
      ['k2', 2],
      ['k3', 2],
    ] as const)
      set.run(String(count), key);
    db.close();

    app = await startStreamApp(globCountingApp(prefix, appId, group, first));
    await waitFor(() => offsets(first).get(topic) === 15, {
      timeoutMs: 30_000,
      message: 'first instance back',
    });
    await sleep(1_000);
    // Mixed, k0 would be 2 (the redo's value over the file's position 15): the record at 13 lost.
    expect(Object.fromEntries(counts(first))).toEqual({
      ...Object.fromEntries(KEYS.map((key) => [key, 1])),
      k0: 3,
      k1: 2,
      k2: 2,
      k3: 2,
    });
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
    const stateRows = (database: string) =>
      rows<{ count: number }>(
        database,
        `SELECT COUNT(*) AS "count" FROM samsa_state WHERE "store" = 'bulk'`,
      )[0]?.count ?? 0;
    // One input record at a time: each is a batch of its own in the changelog. A restore applies a
    // batch once it has read the batch's end, so its checkpoint moves from batch to batch.
    for (let batch = 0; batch < batches; batch++) {
      await produce(`${prefix}bulk-input`, [
        { key: `batch-${batch}`, value: encodeEnvelope('Bulk:1', { batch, keys: perBatch }) },
      ]);
      await waitFor(() => stateRows(writerDb) === (batch + 1) * perBatch, {
        timeoutMs: 90_000,
        message: `changelog written: ${writer.output().slice(-1000)}`,
      });
    }
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
    // Every record from the checkpoint on, less older position records compaction may have taken.
    expect(reread).toBeLessThanOrEqual(end - resumedFrom);
    expect(reread).toBeGreaterThanOrEqual(end - resumedFrom - batches);

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
