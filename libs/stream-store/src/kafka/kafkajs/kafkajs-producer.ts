import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type {
  ProduceRequest,
  ProducerSettings,
  RecordMetadata,
  StreamProducer,
} from '../kafka-client.interface.js';

export class KafkajsProducer implements StreamProducer {
  private readonly producer: Producer;
  private readonly acks: number;

  constructor(kafka: Kafka, settings: ProducerSettings) {
    this.acks = settings.acks;
    this.producer = kafka.producer({
      idempotent: settings.idempotent,
      // KafkaJS keeps idempotent ordering only with one request in flight.
      maxInFlightRequests: settings.idempotent ? 1 : undefined,
      allowAutoTopicCreation: false,
      // Java-compatible murmur2 for keyed records (KafkaJS's default, named so it does not warn about it).
      createPartitioner: Partitioners.DefaultPartitioner,
      ...settings.extra,
    });
  }

  async connect(): Promise<void> {
    await this.producer.connect();
  }

  async send(requests: ProduceRequest[]): Promise<RecordMetadata[]> {
    const results = await this.producer.sendBatch({
      acks: this.acks,
      topicMessages: requests.map(({ topic, messages }) => ({
        topic,
        messages: messages.map((message) => ({ ...message, headers: message.headers as never })),
      })),
    });
    return results.map((result) => ({
      topic: result.topicName,
      partition: result.partition,
      offset: result.baseOffset ?? result.offset ?? '-1',
    }));
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}
