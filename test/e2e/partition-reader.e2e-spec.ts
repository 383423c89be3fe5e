import { AssignerProtocol } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type {
  KafkaRecord,
  PartitionReader,
} from '../../libs/stream-store/src/kafka/kafka-client.interface.js';
import { KafkajsClient } from '../../libs/stream-store/src/kafka/kafkajs/kafkajs-client.js';
import { createKafka, createTopic, kafkaBrokers, produce, uniqueName } from '../support/kafka.js';

const PER_PARTITION = 40;

/** `PER_PARTITION` records in each of 3 partitions, keyed `<partition>-<i>`. */
async function filledTopic(name: string): Promise<string> {
  await createTopic(name, 3);
  await produce(
    name,
    [0, 1, 2].flatMap((partition) =>
      Array.from({ length: PER_PARTITION }, (_, i) => ({
        key: `${partition}-${i}`,
        value: `${i}`,
        partition,
      })),
    ),
  );
  return name;
}

/** Reader groups whose member was assigned `topic` (each test uses its own topics). */
async function readerGroupsOf(topic: string): Promise<string[]> {
  const admin = createKafka().admin();
  await admin.connect();
  try {
    const ids = (await admin.listGroups()).groups
      .map(({ groupId }) => groupId)
      .filter((id) => id.startsWith('samsa-reader-'));
    if (ids.length === 0) return [];
    const { groups } = await admin.describeGroups(ids);
    return groups
      .filter(({ members }) =>
        members.some(({ memberAssignment }) => {
          const assignment = AssignerProtocol.MemberAssignment.decode(memberAssignment);
          return assignment !== null && topic in assignment.assignment;
        }),
      )
      .map(({ groupId }) => groupId);
  } finally {
    await admin.disconnect();
  }
}

async function collect(
  reader: PartitionReader,
  topic: string,
  partition: number,
  from: number,
  end: number,
): Promise<KafkaRecord[]> {
  const records: KafkaRecord[] = [];
  await reader.read({ topic, partition, from: String(from), end: String(end) }, (chunk) => {
    records.push(...chunk);
  });
  return records;
}

const offsets = (records: KafkaRecord[]) => records.map((record) => Number(record.offset));
const range = (from: number, end: number) => Array.from({ length: end - from }, (_, i) => from + i);

describe('KafkaJS partition reader (real Kafka)', () => {
  it('reads several partitions of several topics, together and one after another, through one group', async () => {
    const [a, b] = await Promise.all([
      filledTopic(uniqueName('reader-a')),
      filledTopic(uniqueName('reader-b')),
    ]);
    const client = new KafkajsClient({ brokers: kafkaBrokers(), clientId: uniqueName('reader') });
    const reader = client.reader().partitionReader?.([a, b]);
    if (!reader) throw new Error('the KafkaJS reader opens partition readers');
    try {
      // Together: partitions of both topics, one from the middle.
      const [a0, a2, b1] = await Promise.all([
        collect(reader, a, 0, 0, PER_PARTITION),
        collect(reader, a, 2, 15, PER_PARTITION),
        collect(reader, b, 1, 0, 25),
      ]);
      expect(offsets(a0)).toEqual(range(0, PER_PARTITION));
      expect(offsets(a2)).toEqual(range(15, PER_PARTITION));
      expect(offsets(b1)).toEqual(range(0, 25));
      expect(a2.map((record) => record.key?.toString())).toEqual(
        range(15, PER_PARTITION).map((i) => `2-${i}`),
      );
      expect(b1.every((record) => record.topic === b && record.partition === 1)).toBe(true);

      // One after another, as a rebalance's restores come: the same group serves them.
      const groups = await readerGroupsOf(a);
      expect(groups).toHaveLength(1);
      expect(offsets(await collect(reader, b, 0, 10, 12))).toEqual([10, 11]);
      expect(offsets(await collect(reader, a, 0, 38, PER_PARTITION))).toEqual([38, 39]);
      expect(offsets(await collect(reader, b, 1, 25, PER_PARTITION))).toEqual(range(25, PER_PARTITION));
      expect(await readerGroupsOf(a)).toEqual(groups);
      // An empty range needs no fetch.
      expect(await collect(reader, a, 1, PER_PARTITION, PER_PARTITION)).toEqual([]);
    } finally {
      await reader.close();
    }
    expect(await readerGroupsOf(a)).toEqual([]);
  });

  it('a failed chunk fails its read only; the reader goes on serving the others', async () => {
    const topic = await filledTopic(uniqueName('reader-fail'));
    const client = new KafkajsClient({ brokers: kafkaBrokers(), clientId: uniqueName('reader') });
    const reader = client.reader().partitionReader?.([topic]);
    if (!reader) throw new Error('the KafkaJS reader opens partition readers');
    try {
      const failing = reader.read({ topic, partition: 0, from: '0', end: String(PER_PARTITION) }, () => {
        throw new Error('apply failed');
      });
      await expect(failing).rejects.toThrow('apply failed');
      expect(offsets(await collect(reader, topic, 1, 0, PER_PARTITION))).toEqual(range(0, PER_PARTITION));
      // The failed partition can be read again.
      expect(offsets(await collect(reader, topic, 0, 30, PER_PARTITION))).toEqual(range(30, PER_PARTITION));
    } finally {
      await reader.close();
    }
  });

  it('readToEnd still reads every partition to its end', async () => {
    const topic = await filledTopic(uniqueName('reader-all'));
    const client = new KafkajsClient({ brokers: kafkaBrokers(), clientId: uniqueName('reader') });
    const records: KafkaRecord[] = [];
    await client.reader().readToEnd(topic, { from: new Map([[1, '35']]) }, (chunk) => {
      records.push(...chunk);
    });
    const byPartition = (partition: number) =>
      offsets(records.filter((record) => record.partition === partition));
    expect(byPartition(0)).toEqual(range(0, PER_PARTITION));
    expect(byPartition(1)).toEqual(range(35, PER_PARTITION));
    expect(byPartition(2)).toEqual(range(0, PER_PARTITION));
  });
});
