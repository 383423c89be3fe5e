import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { KafkaRecord, ReadOptions, StreamReader } from '../kafka-client.interface.js';

/**
 * KafkaJS has no group-less assign(), so a reader joins a throw-away group, seeks each partition to
 * its start, reads up to the end offsets taken when it began, and deletes the group afterwards.
 */
export class KafkajsReader implements StreamReader {
  constructor(private readonly kafka: Kafka) {}

  async readToEnd(
    topic: string,
    options: ReadOptions,
    onRecords: (records: KafkaRecord[]) => Promise<void> | void,
  ): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    const groupId = `samsa-reader-${randomUUID()}`;
    try {
      const ends = new Map<number, bigint>();
      for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
        if (options.partitions && !options.partitions.includes(partition)) continue;
        const from = BigInt(options.from?.get(partition) ?? low);
        if (BigInt(high) > from) ends.set(partition, BigInt(high));
      }
      if (ends.size > 0) await this.consume(topic, groupId, ends, options, onRecords);
    } finally {
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect();
    }
  }

  private async consume(
    topic: string,
    groupId: string,
    ends: Map<number, bigint>,
    options: ReadOptions,
    onRecords: (records: KafkaRecord[]) => Promise<void> | void,
  ): Promise<void> {
    const consumer = this.kafka.consumer({ groupId, maxBytesPerPartition: 4 * 1024 * 1024 });
    const remaining = new Set(ends.keys());
    let finish!: () => void;
    let fail!: (error: Error) => void;
    const finished = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)));
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        for (const [partition, offset] of options.from ?? []) {
          if (remaining.has(partition)) consumer.seek({ topic, partition, offset });
        }
        // Only the wanted partitions are fetched: a restore of one partition reads only that one.
        const unwanted = (payload.memberAssignment[topic] ?? []).filter(
          (partition) => !remaining.has(partition),
        );
        if (unwanted.length > 0) consumer.pause([{ topic, partitions: unwanted }]);
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => fail(payload.error));
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const end = ends.get(batch.partition);
          if (end === undefined || !remaining.has(batch.partition)) return;
          const start = BigInt(options.from?.get(batch.partition) ?? -1);
          const records = batch.messages
            .filter((message) => BigInt(message.offset) < end && BigInt(message.offset) >= start)
            .map((message) => ({
              topic,
              partition: batch.partition,
              offset: message.offset,
              key: message.key,
              value: message.value,
              headers: (message.headers ?? {}) as KafkaRecord['headers'],
              timestamp: message.timestamp,
            }));
          if (records.length > 0) await onRecords(records);
          // lastOffset() also covers gaps left by compaction and control records.
          if (BigInt(batch.lastOffset()) + 1n >= end) {
            remaining.delete(batch.partition);
            if (remaining.size === 0) finish();
          }
        },
      });
      await finished;
    } finally {
      await consumer.disconnect();
    }
  }
}
