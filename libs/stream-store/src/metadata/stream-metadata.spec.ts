import { describe, expect, it, vi } from 'vitest';
import { KeyNotOwnedError } from '../errors/key-not-owned.error.js';
import { StoreInputUnknownError } from '../errors/store-input-unknown.error.js';
import type { GroupMembers, StreamAdmin, TopicPartition } from '../kafka/kafka-client.interface.js';
import type { HandlerStatus } from '../transport/stream-store.server.js';
import { UnitOfWork } from '../store/unit-of-work.js';
import { StoreInputs } from './store-inputs.js';
import { StreamMetadata } from './stream-metadata.js';

/** Kafka's own `Utils.murmur2("foobar")` (UtilsTest.testMurmur2): the Java client's partition of the key. */
const FOOBAR_MURMUR2 = -790332482;
const javaPartition = (hash: number, count: number) => (hash & 0x7fffffff) % count;

function handler(group: string, topics: string[], assigned: TopicPartition[] = []): HandlerStatus {
  return { handler: group, group, state: 'running', topics, assigned, halted: {}, waiting: {} };
}

/** StreamMetadata over a cluster where each topic has `partitions` partitions. */
function metadataOf(setup: {
  handlers: HandlerStatus[];
  partitions?: Record<string, number>;
  describe?: (group: string) => GroupMembers;
  inputs?: StoreInputs;
}) {
  const describeGroupMembers = vi.fn(async (group: string) =>
    setup.describe ? setup.describe(group) : { rebalancing: false, members: [] },
  );
  const admin = {
    describeTopics: async (topics: string[]) =>
      new Map(
        topics.map((topic) => [
          topic,
          Array.from({ length: setup.partitions?.[topic] ?? 4 }, (_, partition) => ({
            partition,
            leader: 0,
            replicas: [0],
          })),
        ]),
      ),
    describeGroupMembers,
  } as Partial<StreamAdmin> as StreamAdmin;
  const metadata = new StreamMetadata(
    { topicPrefix: 'p.', advertisedUrl: 'http://me:1' },
    { admin },
    { handlerStatus: () => setup.handlers },
    setup.inputs ?? new StoreInputs(),
  );
  return { metadata, describeGroupMembers };
}

const member = (url: string | undefined, assigned: TopicPartition[]) => ({
  memberId: `m-${url}`,
  clientId: 'c',
  host: '/10.0.0.1',
  assigned,
  advertisedUrl: url,
});

describe('StreamMetadata.ownerOf', () => {
  const topic = 'p.events';
  const partition = javaPartition(FOOBAR_MURMUR2, 4);

  it("puts a key on the input topic's partition the Java client would pick, owned here when assigned here", async () => {
    const { metadata, describeGroupMembers } = metadataOf({
      handlers: [handler('g', [topic], [{ topic, partition }])],
    });

    await expect(metadata.ownerOf('counts', 'foobar')).resolves.toEqual({
      store: 'counts',
      key: 'foobar',
      group: 'g',
      topic,
      partition,
      local: true,
      owned: true,
      url: 'http://me:1',
    });
    expect(describeGroupMembers).not.toHaveBeenCalled();
  });

  it('follows the partition count of the input topic', async () => {
    const { metadata } = metadataOf({ handlers: [handler('g', [topic])], partitions: { [topic]: 7 } });
    expect((await metadata.ownerOf('counts', 'foobar')).partition).toBe(javaPartition(FOOBAR_MURMUR2, 7));
  });

  it("names the member that owns the key's partition, with its advertised URL", async () => {
    const { metadata } = metadataOf({
      handlers: [handler('g', [topic], [{ topic, partition: (partition + 1) % 4 }])],
      describe: () => ({
        rebalancing: false,
        members: [
          member('http://me:1', [{ topic, partition: (partition + 1) % 4 }]),
          member('http://other:2', [{ topic, partition }]),
        ],
      }),
    });

    const owner = await metadata.ownerOf('counts', 'foobar');
    expect(owner).toMatchObject({ local: false, owned: true, url: 'http://other:2', partition });
    await expect(metadata.assertOwned('counts', 'foobar')).rejects.toThrow(KeyNotOwnedError);
    await expect(metadata.assertOwned('counts', 'foobar')).rejects.toMatchObject({
      url: 'http://other:2',
      topic,
      partition,
      retriable: true,
    });
  });

  it('lets reads of partitions nobody owns through (no instance runs the handler)', async () => {
    const { metadata } = metadataOf({ handlers: [handler('g', [topic])] });

    expect(await metadata.ownerOf('counts', 'foobar')).toMatchObject({
      local: false,
      owned: false,
      url: undefined,
    });
    await expect(metadata.assertOwned('counts', 'foobar')).resolves.toBeUndefined();
  });

  it('keeps the last stable owner while the group rebalances', async () => {
    let rebalancing = false;
    let now = 0;
    const handlers = [handler('g', [topic])];
    const { metadata } = metadataOf({
      handlers,
      describe: () =>
        rebalancing
          ? { rebalancing, members: [member('http://other:2', []), member('http://third:3', [])] }
          : { rebalancing, members: [member('http://other:2', [{ topic, partition }])] },
    });
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      expect((await metadata.ownerOf('counts', 'foobar')).url).toBe('http://other:2');
      rebalancing = true;
      now += 5_000;
      expect(await metadata.ownerOf('counts', 'foobar')).toMatchObject({
        owned: true,
        url: 'http://other:2',
      });
    } finally {
      vi.restoreAllMocks();
    }
  });

  it("asks the coordinator again as soon as this instance's assignment changes", async () => {
    const assigned: TopicPartition[] = [];
    const { metadata, describeGroupMembers } = metadataOf({ handlers: [handler('g', [topic], assigned)] });

    await metadata.ownerOf('counts', 'foobar');
    await metadata.ownerOf('counts', 'foobar');
    expect(describeGroupMembers).toHaveBeenCalledTimes(1);
    assigned.push({ topic, partition: (partition + 1) % 4 });
    await metadata.ownerOf('counts', 'foobar');
    expect(describeGroupMembers).toHaveBeenCalledTimes(2);
  });

  it('needs the input topic when several topics may write the store, and says so', async () => {
    const { metadata } = metadataOf({
      handlers: [handler('g', ['p.a', 'p.b'], [{ topic: 'p.b', partition: 0 }])],
    });

    await expect(metadata.ownerOf('counts', 'foobar')).rejects.toThrow(StoreInputUnknownError);
    await expect(metadata.ownerOf('counts', 'foobar')).rejects.toThrow(
      /pass the input topic, ownerOf\(store, key, \{ topic \}\)/,
    );
    expect(await metadata.ownerOf('counts', 'foobar', { topic: 'b' })).toMatchObject({
      topic: 'p.b',
      group: 'g',
    });
    await expect(metadata.ownerOf('counts', 'foobar', { topic: 'c' })).rejects.toThrow(
      /no handler of this application consumes "c"/,
    );
  });

  it('refuses to guess between handler groups consuming one topic', async () => {
    const { metadata } = metadataOf({ handlers: [handler('g1', [topic]), handler('g2', [topic])] });
    await expect(metadata.ownerOf('counts', 'foobar')).rejects.toThrow(/written by one handler group/);
  });

  it('goes by the handlers seen writing the store over the other handlers of the application', async () => {
    const inputs = new StoreInputs();
    const work = Object.assign(new UnitOfWork(0), { source: { group: 'g2', topic: 'p.b' } });
    inputs.noteWrite('counts', work);
    const { metadata } = metadataOf({
      handlers: [
        handler('g1', ['p.a']),
        handler('g2', ['p.b'], [{ topic: 'p.b', partition: javaPartition(FOOBAR_MURMUR2, 4) }]),
      ],
      inputs,
    });

    expect(await metadata.ownerOf('counts', 'foobar')).toMatchObject({
      group: 'g2',
      topic: 'p.b',
      local: true,
    });
  });
});
