import type { Kafka } from 'kafkajs';
import type {
  KafkaRecord,
  PartitionRange,
  PartitionReader,
  ReadOptions,
  StreamReader,
} from '../kafka-client.interface.js';
import type { ClientContext } from './client-context.js';
import { KafkajsPartitionReader } from './kafkajs-partition-reader.js';

/** Reads up to the end offsets taken when a read begins, through a throw-away reader group. */
export class KafkajsReader implements StreamReader {
  constructor(
    private readonly kafka: Kafka,
    private readonly context: ClientContext,
  ) {}

  async readToEnd(
    topic: string,
    options: ReadOptions,
    onRecords: (records: KafkaRecord[]) => Promise<void> | void,
  ): Promise<void> {
    const ranges = await this.ranges(topic, options);
    if (ranges.length === 0) return;
    const reader = this.partitionReader([topic]);
    try {
      await Promise.all(ranges.map((range) => reader.read(range, onRecords)));
    } finally {
      await reader.close();
    }
  }

  partitionReader(topics: readonly string[]): PartitionReader {
    return new KafkajsPartitionReader(this.kafka, topics, this.context);
  }

  private async ranges(topic: string, options: ReadOptions): Promise<PartitionRange[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return (await admin.fetchTopicOffsets(topic))
        .filter(({ partition }) => !options.partitions || options.partitions.includes(partition))
        .map(({ partition, low, high }) => ({
          topic,
          partition,
          from: options.from?.get(partition) ?? low,
          end: high,
        }))
        .filter(({ from, end }) => BigInt(end) > BigInt(from));
    } finally {
      await admin.disconnect();
    }
  }
}
