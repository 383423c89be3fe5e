import type {
  BrokerInfo,
  ConsumerSettings,
  KafkaClient,
  KafkaRecord,
  PartitionInfo,
  PartitionOffsets,
  ProduceRequest,
  ReadOptions,
  RecordMetadata,
  StreamAdmin,
  StreamConsumer,
  StreamProducer,
  StreamReader,
  TopicPartitionOffset,
  TopicSpec,
} from '../kafka/kafka-client.interface.js';
import { InMemoryConsumer } from './in-memory-consumer.js';
import { InMemoryLog } from './in-memory-log.js';

/**
 * A Kafka client over in-process topics, for fast unit tests of handlers through
 * `createStreamTestApp`. samsa's own e2e tests use a real broker instead.
 */
export class InMemoryKafka implements KafkaClient {
  readonly log = new InMemoryLog();
  /** Configs given when a topic was created here, as a broker keeps them. */
  private readonly topicConfigs = new Map<string, Record<string, string>>();

  consumer(settings: ConsumerSettings): StreamConsumer {
    return new InMemoryConsumer(this.log, settings);
  }

  producer(): StreamProducer {
    return {
      connect: async () => undefined,
      disconnect: async () => undefined,
      send: async (requests: ProduceRequest[]): Promise<RecordMetadata[]> =>
        requests.flatMap(({ topic, messages }) =>
          messages.map((message) => {
            const { partition, offset } = this.log.append(topic, message);
            return { topic, partition, offset };
          }),
        ),
    };
  }

  admin(): StreamAdmin {
    const log = this.log;
    const topicConfigs = this.topicConfigs;
    return {
      connect: async () => undefined,
      disconnect: async () => undefined,
      listTopics: async () => [...log.topics.keys()],
      createTopics: async (specs: TopicSpec[]) =>
        specs
          .map((spec) => {
            const created = log.create(spec.topic, spec.partitions);
            if (created) topicConfigs.set(spec.topic, { ...spec.config });
            return created;
          })
          .some(Boolean),
      describeTopics: async (topics: string[]) =>
        new Map<string, PartitionInfo[]>(
          topics.map((topic) => [
            topic,
            (log.topics.get(topic) ?? []).map((_, partition) => ({ partition, leader: 0, replicas: [0] })),
          ]),
        ),
      describeTopicConfigs: async (topics: string[], names: string[]) =>
        new Map(
          topics.map((topic) => {
            const config = topicConfigs.get(topic) ?? {};
            return [
              topic,
              Object.fromEntries(
                names.flatMap((name) => (Object.hasOwn(config, name) ? [[name, config[name]]] : [])),
              ),
            ];
          }),
        ),
      fetchTopicOffsets: async (topic: string): Promise<PartitionOffsets[]> =>
        (log.topics.get(topic) ?? []).map((records, partition) => ({
          partition,
          low: '0',
          high: String(records.length),
        })),
      fetchGroupOffsets: async (groupId: string, topics: string[]): Promise<TopicPartitionOffset[]> =>
        topics.flatMap((topic) =>
          (log.topics.get(topic) ?? []).map((_, partition) => ({
            topic,
            partition,
            offset: log.committed.get(log.commitKey(groupId, topic, partition)) ?? '-1',
          })),
        ),
      describeCluster: async (): Promise<{
        brokers: BrokerInfo[];
        controller: number;
        clusterId: string;
      }> => ({
        brokers: [{ nodeId: 0, host: 'in-memory', port: 0 }],
        controller: 0,
        clusterId: 'in-memory',
      }),
      listGroups: async () => [...new Set([...log.committed.keys()].map((key) => key.split('\u0000')[0]))],
    };
  }

  reader(): StreamReader {
    return {
      readToEnd: async (
        topic: string,
        options: ReadOptions,
        onRecords: (records: KafkaRecord[]) => unknown,
      ) => {
        for (const [partition, records] of (this.log.topics.get(topic) ?? []).entries()) {
          if (options.partitions && !options.partitions.includes(partition)) continue;
          const from = Number(options.from?.get(partition) ?? 0);
          const slice = records.slice(from);
          if (slice.length > 0) await onRecords(slice);
        }
      },
    };
  }

  /** All records of a topic, partition by partition. */
  records(topic: string): KafkaRecord[] {
    return (this.log.topics.get(topic) ?? []).flat();
  }
}
