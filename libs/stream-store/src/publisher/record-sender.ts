import type {
  ProduceMessage,
  ProduceRequest,
  RecordMetadata,
  StreamProducer,
} from '../kafka/kafka-client.interface.js';
import type { KeyPartitioner } from './key-partitioner.js';
import type { PartitionCounts } from './partition-counts.js';
import type { PublishObserver } from './publish-observer.js';
import type { PreparedRecord } from './record-preparer.js';
import type { TopicManager } from './topic-manager.js';

/** What the sender needs of `KafkaConnections`. */
export interface ProducerConnection {
  readonly producer: StreamProducer;
  connect(): Promise<void>;
}

/**
 * Sends prepared records in one producer call: creates missing topics first (once, cached), places keyed records
 * on the partition Kafka's default partitioner picks, and tells the observer what was acknowledged. Records keep
 * their order per topic; records of one partition go to the broker in one produce request.
 *
 * Durability comes from the producer `KafkaConnections` builds: idempotent, `acks=all`, and the client's retries
 * with backoff (KafkaJS `retry` settings), so a broker restart while publishing loses nothing that was
 * acknowledged and writes nothing twice. A send that still fails rejects: nothing of it is reported as published.
 */
export class RecordSender {
  constructor(
    private readonly kafka: ProducerConnection,
    private readonly topics: Pick<TopicManager, 'ensure'>,
    private readonly partitionCounts: Pick<PartitionCounts, 'get'>,
    private readonly partitioner: KeyPartitioner,
    private readonly observer: PublishObserver,
  ) {}

  async send(records: readonly PreparedRecord[]): Promise<RecordMetadata[]> {
    if (records.length === 0) return [];
    await this.kafka.connect();
    const requests = await Promise.all(
      [...groupByTopic(records)].map(([topic, list]) => this.request(topic, list)),
    );
    const results = await this.kafka.producer.send(requests);
    for (const { topic, messages } of requests) this.observer.published(topic, messages.length);
    return results;
  }

  private async request(topic: string, records: PreparedRecord[]): Promise<ProduceRequest> {
    // A topic created now gets the configs of the first record that asks for some (e.g. its schema's retention).
    const config = records.find((record) => Object.keys(record.config).length > 0)?.config;
    await this.topics.ensure(topic, { config: { ...config } });
    const messages = records.map((record) => record.message);
    if (!messages.some((message) => message.partition !== undefined || hasKey(message)))
      return { topic, messages };
    const count = await this.partitionCounts.get(topic);
    return { topic, messages: messages.map((message) => this.place(topic, message, count)) };
  }

  private place(topic: string, message: ProduceMessage, count: number): ProduceMessage {
    if (message.partition !== undefined) {
      if (message.partition >= count) {
        throw new RangeError(
          `Topic ${topic} has ${count} partitions; partition ${message.partition} does not exist.`,
        );
      }
      return message;
    }
    if (!hasKey(message)) return message;
    return { ...message, partition: this.partitioner.partition(message.key, count) };
  }
}

function hasKey(message: ProduceMessage): message is ProduceMessage & { key: Buffer | string } {
  return message.key !== undefined && message.key !== null;
}

function groupByTopic(records: readonly PreparedRecord[]): Map<string, PreparedRecord[]> {
  const byTopic = new Map<string, PreparedRecord[]>();
  for (const record of records) {
    const list = byTopic.get(record.topic);
    if (list) list.push(record);
    else byTopic.set(record.topic, [record]);
  }
  return byTopic;
}
