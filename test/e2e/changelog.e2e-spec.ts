import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { encodeEnvelope } from '@samsa/schema';
import { describe, expect, it } from 'vitest';
import { createKafka, createTopic, kafkaBrokers, produce, uniqueName, waitFor } from '../support/kafka.js';
import { spawnWorker } from '../support/spawn-worker.js';

const WORKER = 'test/e2e/fixtures/changelog-worker.ts';
const tempDb = (name: string) => join(mkdtempSync(join(tmpdir(), 'samsa-changelog-')), `${name}.sqlite`);

/** Counts per key as stored in a worker's SQLite file. */
function countsIn(db: string): Map<string, number> {
  if (!existsSync(db)) return new Map();
  const sqlite = new BetterSqlite3(db, { readonly: true });
  try {
    const rows = sqlite
      .prepare(`SELECT "key", "value" FROM samsa_state WHERE "store" = 'counts'`)
      .all() as Array<{ key: string; value: string }>;
    return new Map(rows.map((row) => [row.key, JSON.parse(row.value) as number]));
  } finally {
    sqlite.close();
  }
}

function keyedMessages(keys: string[], perKey: number) {
  const messages = [];
  for (let i = 0; i < perKey; i++)
    for (const key of keys) messages.push({ key, value: encodeEnvelope('Event:1', { i }) });
  return messages;
}

async function committedTotal(group: string, topic: string): Promise<number> {
  const admin = createKafka().admin();
  await admin.connect();
  try {
    const [{ partitions }] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return partitions.reduce((sum, { offset }) => sum + Math.max(0, Number(offset)), 0);
  } finally {
    await admin.disconnect();
  }
}

describe('changelog topics and restoration (SQLite per instance)', () => {
  it('a survivor takes over a SIGKILLed instance’s partitions, restores them, and the counts are exact', async () => {
    const prefix = `${uniqueName('cl')}.`;
    const group = uniqueName('cl-group');
    const keys = Array.from({ length: 30 }, (_, i) => `k${i}`);
    const perKey = 60;
    await createTopic(`${prefix}events`, 4);
    const env = {
      KAFKA_BROKERS: kafkaBrokers().join(','),
      TOPIC_PREFIX: prefix,
      GROUP: group,
      DELAY_MS: '3',
    };
    const [dbA, dbB] = [tempDb('a'), tempDb('b')];
    const a = spawnWorker(WORKER, { ...env, DB: dbA });
    const b = spawnWorker(WORKER, { ...env, DB: dbB });
    await waitFor(() => a.output().includes('worker started') && b.output().includes('worker started'), {
      timeoutMs: 60_000,
      message: 'both workers started',
    });
    await produce(`${prefix}events`, keyedMessages(keys, perKey));
    // Both instances must own state before one dies: A's local file has counts, and B is busy too.
    await waitFor(() => countsIn(dbA).size > 0 && countsIn(dbB).size > 0, {
      timeoutMs: 60_000,
      message: 'both instances counting',
    });
    a.process.kill('SIGKILL');
    await a.exited;
    await waitFor(async () => (await committedTotal(group, `${prefix}events`)) >= keys.length * perKey, {
      timeoutMs: 90_000,
      message: `survivor finished: ${b.output().slice(-2000)}`,
    });
    b.process.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    const counts = countsIn(dbB);
    for (const key of keys) expect(counts.get(key), key).toBe(perKey);
    // Restoration is logged by the survivor (its log is colored: match the words only).
    expect(b.output()).toContain('Restoring counts[');
  });

  it('a fresh instance with an empty SQLite file restores all state before processing', async () => {
    const prefix = `${uniqueName('fresh')}.`;
    const group = uniqueName('fresh-group');
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    await createTopic(`${prefix}events`, 3);
    const env = { KAFKA_BROKERS: kafkaBrokers().join(','), TOPIC_PREFIX: prefix, GROUP: group };
    await produce(`${prefix}events`, keyedMessages(keys, 10));
    const first = spawnWorker(WORKER, { ...env, DB: tempDb('first') });
    await waitFor(async () => (await committedTotal(group, `${prefix}events`)) >= keys.length * 10, {
      timeoutMs: 60_000,
      message: 'first instance done',
    });
    first.process.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const freshDb = tempDb('fresh');
    const fresh = spawnWorker(WORKER, { ...env, DB: freshDb });
    await waitFor(() => fresh.output().includes('worker started'), {
      timeoutMs: 60_000,
      message: 'fresh started',
    });
    await produce(`${prefix}events`, keyedMessages(keys, 1));
    await waitFor(async () => (await committedTotal(group, `${prefix}events`)) >= keys.length * 11, {
      timeoutMs: 60_000,
      message: 'fresh instance done',
    });
    await sleep(200);
    fresh.process.kill('SIGTERM');
    expect(await fresh.exited).toBe(0);
    const counts = countsIn(freshDb);
    for (const key of keys) expect(counts.get(key), key).toBe(11);
  });
});
