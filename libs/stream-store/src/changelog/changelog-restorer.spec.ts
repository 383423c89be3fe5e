import { describe, expect, it } from 'vitest';
import type {
  KafkaRecord,
  PartitionReader,
  StreamAdmin,
  StreamReader,
} from '../kafka/kafka-client.interface.js';
import type { StoreBackend } from '../store/backend/store-backend.interface.js';
import type { StoreSettings } from '../store/store-settings.js';
import { positionMessage } from './changelog-position.js';
import { ChangelogRestorer } from './changelog-restorer.js';
import { chunkHeaders } from './changelog-writer.js';
import { RestoreReader } from './restore-reader.js';

const topicOf = (store: string) => `app-${store}-changelog`;

/**
 * Two changelogs of 2 partitions: one batch each, 3 changes and the position record closing it,
 * written under assignment epoch `epochOf(store)`.
 */
const changelogs = (epochOf: (store: string) => number = () => 1) =>
  new Map<string, KafkaRecord[][]>(
    ['counts', 'totals'].map((store) => [
      topicOf(store),
      [0, 1].map((partition) => {
        const consumed = { group: 'g', topic: 'events', partition };
        const epoch = epochOf(store);
        const closing = positionMessage({ ...consumed, offset: '42' }, epoch, partition);
        const records: KafkaRecord[] = [0, 1, 2].map((offset) => ({
          topic: topicOf(store),
          partition,
          offset: String(offset),
          key: Buffer.from(`k${offset}`),
          value: Buffer.from(String(offset)),
          headers: offset === 0 ? chunkHeaders({ ...consumed, offset: '' }, epoch, 4) : {},
          timestamp: '0',
        }));
        const { key, value } = closing;
        records.push({
          topic: topicOf(store),
          partition,
          offset: '3',
          key: Buffer.from(key),
          value: Buffer.from(value),
          headers: {},
          timestamp: '0',
        });
        return records;
      }),
    ]),
  );

function setup(log = changelogs()) {
  const opened: Array<readonly string[]> = [];
  let reading = 0;
  let overlapped = false;
  const partitionReader = (topics: readonly string[]): PartitionReader => {
    opened.push(topics);
    return {
      topics,
      read: async ({ topic, partition, from }, onRecords) => {
        overlapped ||= reading > 0 && topic === topicOf('counts') && partition === 0;
        if (topic === topicOf('counts') && partition === 0) reading++;
        await new Promise((resolve) => setTimeout(resolve, 5));
        await onRecords(log.get(topic)?.[partition].slice(Number(from)) ?? []);
        if (topic === topicOf('counts') && partition === 0) reading--;
      },
      close: async () => undefined,
    };
  };
  const reader: StreamReader = { readToEnd: () => Promise.reject(new Error('unused')), partitionReader };
  const admin = {
    listTopics: async () => [...log.keys()],
    fetchTopicOffsets: async (topic: string) =>
      (log.get(topic) ?? []).map((records, partition) => ({
        partition,
        low: '0',
        high: String(records.length),
      })),
  } as unknown as StreamAdmin;
  const checkpoints = new Map<string, string>();
  const restored: unknown[] = [];
  const backend = {
    checkpoint: async (store: string, partition: number) => checkpoints.get(`${store}:${partition}`),
    restore: async (
      changes: { store: string; partition: number },
      checkpoint: { offset: string },
      positions: unknown[],
    ) => {
      checkpoints.set(`${changes.store}:${changes.partition}`, checkpoint.offset);
      restored.push({ ...changes, checkpoint: checkpoint.offset, positions });
    },
    unvouched: async () => [],
  } as unknown as StoreBackend;
  const counted: Array<[string, number, number]> = [];
  const restorer = new ChangelogRestorer(
    admin,
    new RestoreReader(() => reader, 1_000),
    async () => backend,
    topicOf,
    (store, partition, count) => counted.push([store, partition, count]),
  );
  return { restorer, opened, restored, counted, overlapped: () => overlapped };
}

const stores = [{ name: 'counts' }, { name: 'totals' }] as StoreSettings[];

describe('ChangelogRestorer', () => {
  it('restores every store of the partitions asked for through one reader, with checkpoints and positions', async () => {
    const { restorer, opened, restored, counted } = setup();
    await Promise.all([restorer.ensure(0, stores), restorer.ensure(1, stores)]);
    expect(opened).toEqual([[topicOf('counts'), topicOf('totals')]]);
    expect(restored).toHaveLength(4);
    expect(restored).toContainEqual({
      store: 'totals',
      partition: 1,
      upserts: [0, 1, 2].map((i) => ({ key: `k${i}`, value: String(i), expiresAt: null })),
      deletes: [],
      checkpoint: '4',
      positions: [{ group: 'g', topic: 'events', partition: 1, offset: '42' }],
    });
    expect(counted).toContainEqual(['counts', 0, 4]);
    // Once per assignment; up to date afterwards.
    await restorer.ensure(0, stores);
    restorer.forget();
    await restorer.ensure(0, stores);
    expect(restored).toHaveLength(4);
    await restorer.close();
  });

  it('a partition checked again after a rebalance waits for its running restore', async () => {
    const { restorer, overlapped } = setup();
    const first = restorer.ensure(0, stores);
    restorer.forget();
    const second = restorer.ensure(0, stores);
    await Promise.all([first, second]);
    expect(overlapped()).toBe(false);
    await restorer.close();
  });

  it('fences each changelog by its own epochs: a newer epoch in one store says nothing of another', async () => {
    // `totals` was last written under epoch 5, `counts` under epoch 3: both are live records.
    const { restorer, restored } = setup(changelogs((store) => (store === 'totals' ? 5 : 3)));
    await restorer.ensure(0, [{ name: 'totals' }] as StoreSettings[]);
    restorer.forget();
    await restorer.ensure(0, [{ name: 'counts' }] as StoreSettings[]);
    const counts = restored.find((r) => (r as { store: string }).store === 'counts') as {
      upserts: unknown[];
      positions: unknown[];
    };
    expect(counts.upserts).toHaveLength(3);
    expect(counts.positions).toEqual([{ group: 'g', topic: 'events', partition: 0, offset: '42' }]);
    await restorer.close();
  });

  it("writes past every epoch read for a partition when this host's clock is behind, fixed per assignment", async () => {
    // Another instance, its clock ahead, last wrote `events` 0 under epoch 5 000.
    const { restorer } = setup(changelogs(() => 5_000));
    await restorer.ensure(0, stores);
    const consumed = { group: 'g', topic: 'events', partition: 0 };
    expect(restorer.writeEpoch(consumed, 1_000)).toBe(5_001);
    expect(restorer.writeEpoch(consumed, 1_000)).toBe(5_001);
    // A later assignment whose clock reading is past them all keeps it.
    expect(restorer.writeEpoch(consumed, 9_000)).toBe(9_000);
    // Another partition, never read: its assignment's own.
    expect(restorer.writeEpoch({ ...consumed, partition: 7 }, 1_000)).toBe(1_000);
    await restorer.close();
  });
});
