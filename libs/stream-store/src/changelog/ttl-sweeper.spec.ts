import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KafkaConnections } from '../kafka/kafka-connections.js';
import type { ProduceRequest, RecordMetadata, StreamAdmin } from '../kafka/kafka-client.interface.js';
import type { StreamMetrics } from '../metrics/stream-metrics.js';
import { resolveOptions } from '../options/resolve-options.js';
import type { TopicManager } from '../publisher/topic-manager.js';
import type { StateStore } from '../store/state-store.interface.js';
import { StoreRuntime } from '../store/store-runtime.js';
import { currentUnitOfWork, UnitOfWork } from '../store/unit-of-work.js';
import { Changelogs } from './changelogs.js';
import { OwnedPartitions } from './owned-partitions.js';

const input = { topic: 'logins', partition: 0 };
const GROUP = 'sessions-group';

/** A changelog as a list: every record produced, in order (the test's stand-in for the broker). */
function recordingKafka() {
  const log: Array<{ topic: string; key: string; value: string | null }> = [];
  const producer = {
    send: async (requests: ProduceRequest[]): Promise<RecordMetadata[]> =>
      requests.map(({ topic, messages }) => {
        const offset = String(log.filter((record) => record.topic === topic).length);
        for (const { key, value } of messages)
          log.push({ topic, key: String(key), value: value === null ? null : String(value) });
        return { topic, partition: 0, offset };
      }),
  };
  const admin = {
    describeTopics: async () => new Map([[input.topic, [{ partition: 0, leader: 1, replicas: [1] }]]]),
  };
  const kafka = { producer, admin, client: { reader: () => ({}) } } as unknown as KafkaConnections;
  return { log, kafka, admin: admin as unknown as StreamAdmin };
}

async function setup() {
  const options = resolveOptions({
    brokers: ['unused:9092'],
    appId: 'ttl',
    store: {
      type: 'sqlite',
      database: join(mkdtempSync(join(tmpdir(), 'samsa-ttl-sweeper-')), 'state.sqlite'),
    },
  });
  const runtime = new StoreRuntime(options);
  const sessions = runtime.declare({ name: 'sessions', ttl: 1_000 }) as StateStore<string>;
  const { log, kafka } = recordingKafka();
  const topics = { ensure: async () => undefined } as unknown as TopicManager;
  const metrics = { restore: () => undefined } as unknown as StreamMetrics;
  const changelogs = new Changelogs(options, runtime, kafka, topics, metrics);
  const ledger = await runtime.ledger();
  if (!ledger) throw new Error('no ledger');
  /** A batch as the processor runs it: handler, changelog write, then the SQL commit (awaited apart). */
  const batch = async (from: string | undefined, to: string, value: string) => {
    const work = new UnitOfWork(0);
    await currentUnitOfWork.run(work, () => sessions.set('k', value));
    work.keepRecord();
    const written = await changelogs.write(work, GROUP, input, { from, to }, 1);
    return async () => {
      await ledger.commit(GROUP, input, from, to, work, written.checkpoints);
      await written.confirm();
    };
  };
  const history = () => log.filter((record) => record.key === 'k').map((record) => record.value);
  return { runtime, sessions, changelogs, batch, history };
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await close?.();
});

describe('TTL sweeper', () => {
  it('never tombstones a key a batch is setting again as it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { runtime, sessions, changelogs, batch, history } = await setup();
    close = () => runtime.close();
    await (
      await batch(undefined, '1', 'v1')
    )();
    vi.setSystemTime(Date.now() + 1_500); // k expired

    // A batch sets k again: its changelog record is out, its SQL commit not yet. A sweep now reads
    // k as expired, but must not tombstone it: the tombstone would follow v2 in the changelog.
    const commit = await batch('1', '2', 'v2');
    await changelogs.sweepExpired();
    await commit();
    expect(history()).toEqual(['"v1"', '"v2"']);
    expect(await sessions.get('k')).toBe('v2');

    // Once committed and expired, k is tombstoned, then deleted.
    vi.setSystemTime(Date.now() + 1_500);
    await changelogs.sweepExpired();
    expect(history()).toEqual(['"v1"', '"v2"', null]);
    expect(await runtime.deleteExpired()).toEqual([]);
  });

  it('holds a batch’s changelog write back while a sweep holds the partition', async () => {
    const owned = new OwnedPartitions();
    let release = () => {};
    const sweep = owned.exclusive(0, () => new Promise<void>((resolve) => (release = resolve)));
    const position = { group: GROUP, ...input, offset: '2' };
    let written = false;
    const write = owned.write(0, position, 1).then(() => (written = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(written).toBe(false);
    expect(owned.partitions()).toEqual([]);
    release();
    await Promise.all([sweep, write]);
    expect(owned.latest(0)).toEqual({ position, epoch: 1 });
  });
});
