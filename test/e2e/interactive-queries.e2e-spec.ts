// Interactive queries on SQLite instances: every instance keeps its own copy of the state, and
// after a rebalance the warm copies of partitions it gave away go stale. Reads outside handlers
// must know who owns a key (StreamMetadata.ownerOf), and a read of a key another instance owns is
// refused with the owner's URL (KeyNotOwnedError) instead of answering from a stale copy.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import BetterSqlite3 from 'better-sqlite3';
import { encodeEnvelope } from '@samsa/schema';
import { getStateStoreToken, StreamStoreServer, type StateStore } from '@samsa/stream-store';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { KeyNotOwnedError } from '../../libs/stream-store/src/errors/key-not-owned.error.js';
import type { KeyOwner } from '../../libs/stream-store/src/metadata/key-owner.interface.js';
import { StreamMetadata } from '../../libs/stream-store/src/metadata/stream-metadata.js';
import { createTopic, kafkaBrokers, produce, uniqueName, waitFor } from '../support/kafka.js';
import { startStreamApp } from '../support/stream-app.js';
import { INPUT_TOPIC, interactiveQueriesApp } from './fixtures/interactive-queries-app.js';

const KEYS = Array.from({ length: 40 }, (_, i) => `k${i}`);
const URL_A = 'http://instance-a.test:3001';
const URL_B = 'http://instance-b.test:3002';

const directory = mkdtempSync(join(tmpdir(), 'samsa-iq-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const apps: INestApplication[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** Every key `times` times, in rounds. */
const rounds = (times: number) =>
  Array.from({ length: times }, (_, round) =>
    KEYS.map((key) => ({ key, value: encodeEnvelope('Event:1', { round }) })),
  ).flat();

const counts = (app: INestApplication) => app.get<StateStore<number>>(getStateStoreToken('counts'));
const metadata = (app: INestApplication) => app.get(StreamMetadata);
const assigned = (app: INestApplication) => app.get(StreamStoreServer).handlerStatus()[0]?.assigned ?? [];

/** What an instance's SQLite file holds for the store, bypassing samsa (its warm copies included). */
function storedCounts(database: string): Map<string, number> {
  const sqlite = new BetterSqlite3(database, { readonly: true });
  try {
    const rows = sqlite
      .prepare(`SELECT "key", "value" FROM samsa_state WHERE "store" = 'counts'`)
      .all() as Array<{ key: string; value: string }>;
    return new Map(rows.map((row) => [row.key, JSON.parse(row.value) as number]));
  } finally {
    sqlite.close();
  }
}

describe('interactive queries over instances with their own SQLite files', () => {
  it('names one owner per key, refuses stale reads with the owner URL, and serves every key once alone', async () => {
    const prefix = `${uniqueName('iq')}.`;
    const topic = await createTopic(`${prefix}${INPUT_TOPIC}`, 4);
    const shared = {
      brokers: kafkaBrokers(),
      topicPrefix: prefix,
      appId: uniqueName('iq-app'),
      group: uniqueName('iq'),
    };
    const dbA = join(directory, `${shared.appId}-a.sqlite`);
    const dbB = join(directory, `${shared.appId}-b.sqlite`);
    const a = await startStreamApp(interactiveQueriesApp({ ...shared, database: dbA, advertisedUrl: URL_A }));
    apps.push(a);

    // A alone counts every key twice: its file then holds all of them.
    await produce(topic, rounds(2));
    await waitFor(
      async () =>
        (await counts(a).getMany(KEYS)).size === KEYS.length &&
        [...(await counts(a).getMany(KEYS)).values()].every((n) => n === 2),
      {
        timeoutMs: 30_000,
        message: 'A counting every key twice',
      },
    );

    // B joins and takes two partitions; three more rounds are counted by whoever owns each key now.
    const b = await startStreamApp(interactiveQueriesApp({ ...shared, database: dbB, advertisedUrl: URL_B }));
    apps.push(b);
    await waitFor(() => assigned(a).length === 2 && assigned(b).length === 2, {
      timeoutMs: 30_000,
      message: `A and B sharing the 4 partitions (A ${JSON.stringify(assigned(a))}, B ${JSON.stringify(assigned(b))})`,
    });
    await produce(topic, rounds(3));
    const ownerApp = (owner: KeyOwner) => (owner.local ? a : b);
    await waitFor(
      async () => {
        for (const key of KEYS) {
          if ((await counts(ownerApp(await metadata(a).ownerOf('counts', key))).get(key)) !== 5) return false;
        }
        return true;
      },
      { timeoutMs: 45_000, message: 'every key counted 5 times on its owner' },
    );

    const ownedBy = { a: [] as string[], b: [] as string[] };
    for (const key of KEYS) {
      const [fromA, fromB] = await Promise.all([
        metadata(a).ownerOf('counts', key),
        metadata(b).ownerOf('counts', key),
      ]);
      // Exactly one instance owns the key; both agree on its partition, and the other names the owner's URL.
      expect([fromA.local, fromB.local].filter(Boolean)).toHaveLength(1);
      expect(fromA).toMatchObject({ store: 'counts', key, topic, group: shared.group, owned: true });
      expect(fromB.partition).toBe(fromA.partition);
      const [owner, other, ownerUrl, otherApp] = fromA.local ? [a, fromB, URL_A, b] : [b, fromA, URL_B, a];
      expect(other.url).toBe(ownerUrl);
      (fromA.local ? ownedBy.a : ownedBy.b).push(key);

      // The owner answers the exact count; the other refuses, naming the owner.
      expect(await counts(owner).get(key)).toBe(5);
      const refused = await counts(otherApp)
        .get(key)
        .then(
          (value) => `answered ${value}`,
          (error: unknown) => error,
        );
      expect(refused).toBeInstanceOf(KeyNotOwnedError);
      expect(refused).toMatchObject({ url: ownerUrl, partition: fromA.partition, store: 'counts', key });
      await expect(counts(otherApp).has(key)).rejects.toBeInstanceOf(KeyNotOwnedError);
    }
    await expect(counts(a).getMany(ownedBy.b.slice(0, 3))).rejects.toBeInstanceOf(KeyNotOwnedError);
    expect(ownedBy.a.length).toBeGreaterThan(0);
    expect(ownedBy.b.length).toBeGreaterThan(0);

    // What the refusals protected against: A's file still holds its warm copies of B's keys, at 2.
    const warm = storedCounts(dbA);
    const stale = ownedBy.b.filter((key) => warm.get(key) !== 5);
    expect(stale).toEqual(ownedBy.b);
    expect(ownedBy.b.map((key) => warm.get(key))).toEqual(ownedBy.b.map(() => 2));
    console.log(
      `[interactive-queries] ${KEYS.length} keys: A owns ${ownedBy.a.length}, B ${ownedBy.b.length}; ` +
        `${stale.length} stale warm copies on A refused`,
    );

    // B leaves: A owns every partition again, catches up from the changelog and answers every key exactly.
    await b.close();
    apps.splice(apps.indexOf(b), 1);
    await waitFor(() => assigned(a).length === 4, {
      timeoutMs: 30_000,
      message: 'A owning all 4 partitions',
    });
    await waitFor(
      async () => [...(await counts(a).getMany(KEYS)).values()].filter((n) => n === 5).length === KEYS.length,
      { timeoutMs: 30_000, message: "A's counts caught up from B's changelog records" },
    );
    for (const key of KEYS) {
      expect(await metadata(a).ownerOf('counts', key)).toMatchObject({
        local: true,
        owned: true,
        url: URL_A,
      });
      expect(await counts(a).get(key)).toBe(5);
    }
  });
});
