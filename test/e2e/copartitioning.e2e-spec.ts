// Co-partitioning: a glob handler over several topics, run by two instances with their own SQLite
// files, counts per key (not per topic). A key lands on the same partition number in every topic,
// so only an assignment that gives partition p of every topic to one instance keeps all of a key's
// state in one place; round-robin splits it (each instance counts part of a key's records).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { encodeEnvelope } from '@samsa/schema';
import { StreamStoreServer } from '@samsa/stream-store';
import { afterEach, describe, expect, it } from 'vitest';
import { createKafka, createTopic, produce, uniqueName, waitFor } from '../support/kafka.js';
import { startStreamApp } from '../support/stream-app.js';
import { globCountingApp, sqliteRows, storedCounts } from './fixtures/glob-counting-app.js';

const PARTITIONS = 3;
const KEYS = Array.from({ length: 30 }, (_, i) => `k${i}`);
const ROUNDS = 4;

const apps: INestApplication[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

const counts = storedCounts;

const assignedTo = (app: INestApplication) => app.get(StreamStoreServer).handlerStatus()[0]?.assigned ?? [];

describe('co-partitioned assignment', () => {
  it('gives partition p of every input topic to one instance, so per-key state is whole', async () => {
    const prefix = `${uniqueName('copart')}.`;
    const appId = uniqueName('app');
    const group = uniqueName('group');
    const topics = [`${prefix}events.a`, `${prefix}events.b`];
    for (const topic of topics) await createTopic(topic, PARTITIONS);

    const files = [0, 1].map((i) =>
      join(mkdtempSync(join(tmpdir(), 'samsa-copart-')), `instance-${i}.sqlite`),
    );
    for (const file of files) apps.push(await startStreamApp(globCountingApp(prefix, appId, group, file)));
    await waitFor(
      () =>
        apps.every((app) => assignedTo(app).length > 0) &&
        apps.reduce((sum, app) => sum + assignedTo(app).length, 0) === PARTITIONS * topics.length,
      { timeoutMs: 60_000, message: 'both instances assigned' },
    );

    // Each instance holds whole partition numbers: the same ones in every topic.
    for (const app of apps) {
      const assigned = assignedTo(app);
      const numbers = new Set(assigned.map(({ partition }) => partition));
      for (const topic of topics) {
        expect(
          assigned
            .filter((tp) => tp.topic === topic)
            .map(({ partition }) => partition)
            .sort(),
          `${topic} on one instance`,
        ).toEqual([...numbers].sort());
      }
    }

    // The default partitioner (murmur2) puts a key on the same partition number in both topics.
    for (let round = 0; round < ROUNDS; round++) {
      for (const topic of topics) {
        await produce(
          topic,
          KEYS.map((key) => ({ key, value: encodeEnvelope('Event:1', { round }) })),
        );
      }
    }
    const expected = ROUNDS * topics.length;
    await waitFor(
      () => {
        const merged = files.map(counts);
        return KEYS.every((key) => merged.some((state) => state.get(key) === expected));
      },
      { timeoutMs: 60_000, message: `every key counted ${expected} times on one instance` },
    );

    // No key's count is split: the instance not owning it never counted it.
    const [first, second] = files.map(counts);
    for (const key of KEYS) {
      const held = [first.get(key), second.get(key)].filter((count) => count !== undefined);
      expect(held, key).toEqual([expected]);
    }
    const admin = createKafka().admin();
    await admin.connect();
    try {
      const committed = await admin.fetchOffsets({ groupId: group, topics });
      const total = committed
        .flatMap(({ partitions }) => partitions)
        .reduce((sum, { offset }) => sum + Number(offset), 0);
      expect(total).toBe(KEYS.length * expected);
    } finally {
      await admin.disconnect();
    }
  });

  it('with handler concurrency, partition p of topics sharing keys never runs two batches at once (no lost update)', async () => {
    const prefix = `${uniqueName('copart')}.`;
    const group = uniqueName('group');
    const topics = [`${prefix}events.a`, `${prefix}events.b`];
    for (const topic of topics) await createTopic(topic, 1);
    const file = join(mkdtempSync(join(tmpdir(), 'samsa-copart-')), 'state.sqlite');
    // Both topics' records are on the broker before the handler starts: every fetch brings a batch of
    // each, which concurrency 2 would run side by side, both reading a key before the other wrote it.
    for (let round = 0; round < ROUNDS; round++) {
      for (const topic of topics) {
        await produce(
          topic,
          KEYS.map((key) => ({ key, value: encodeEnvelope('Event:1', { round }) })),
        );
      }
    }
    apps.push(await startStreamApp(globCountingApp(prefix, uniqueName('app'), group, file, 2)));
    const expected = ROUNDS * topics.length;
    // Done when both partitions' offsets, committed with the state, reached their ends.
    const handled = () =>
      sqliteRows<{ next: number }>(file, `SELECT "next_offset" AS next FROM samsa_offsets`).reduce(
        (sum, row) => sum + Number(row.next),
        0,
      );
    await waitFor(() => handled() === KEYS.length * expected, {
      timeoutMs: 60_000,
      message: 'every record handled',
    });
    // A lost update leaves a key short.
    expect(Object.fromEntries(counts(file))).toEqual(Object.fromEntries(KEYS.map((key) => [key, expected])));
  });
});
