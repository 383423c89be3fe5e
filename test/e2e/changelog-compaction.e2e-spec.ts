import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Controller, Module, type INestApplication, type Type } from '@nestjs/common';
import { Ctx } from '@nestjs/microservices';
import { encodeEnvelope } from '@samsa/schema';
import BetterSqlite3 from 'better-sqlite3';
import {
  InjectStore,
  StreamContext,
  StreamHandler,
  StreamStoreModule,
  type StateStore,
} from '@samsa/stream-store';
import { afterEach, describe, expect, it } from 'vitest';
import { createKafka, createTopic, kafkaBrokers, produce, uniqueName, waitFor } from '../support/kafka.js';
import { startStreamApp } from '../support/stream-app.js';
import { readTopic } from './fixtures/read-topic.js';

const KEYS = Array.from({ length: 10 }, (_, i) => `k${i}`);
const tempDb = () => join(mkdtempSync(join(tmpdir(), 'samsa-compaction-')), 'state.sqlite');
const events = (keys: readonly string[]) =>
  keys.map((key) => ({ key, value: encodeEnvelope('Event:1', {}) }));

let app: INestApplication | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A glob handler over `events.*` counting per key, on its own SQLite file. */
function countingApp(prefix: string, appId: string, group: string, database: string): Type<unknown> {
  @Controller()
  class CountingController {
    constructor(@InjectStore('counts') private readonly counts: StateStore<number>) {}
    @StreamHandler('events.*', { group })
    async count(@Ctx() ctx: StreamContext) {
      await this.counts.update(ctx.key ?? '', (n) => (n ?? 0) + 1);
    }
  }
  @Module({
    imports: [
      StreamStoreModule.forRoot({
        brokers: kafkaBrokers(),
        topicPrefix: prefix,
        appId,
        store: { type: 'sqlite', database },
      }),
      StreamStoreModule.forFeature(['counts']),
    ],
    controllers: [CountingController],
  })
  class CountingModule {}
  return CountingModule;
}

/** Rows of a SQLite file, read from outside the app. */
function rows<T>(database: string, sql: string): T[] {
  const db = new BetterSqlite3(database, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

const counts = (database: string) =>
  new Map(
    rows<{ key: string; value: string }>(
      database,
      `SELECT "key", "value" FROM samsa_state WHERE "store" = 'counts'`,
    ).map((row) => [row.key, JSON.parse(row.value) as number]),
  );
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
    app = await startStreamApp(countingApp(prefix, appId, group, first));
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
    app = await startStreamApp(countingApp(prefix, appId, group, fresh));
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
});
