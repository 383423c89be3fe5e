import kafkajs, { type CompressionTypes, type Kafka, type Producer } from 'kafkajs';
import type {
  ProduceRequest,
  ProducerCompression,
  ProducerSettings,
  RecordMetadata,
  StreamProducer,
} from '../kafka-client.interface.js';
import { brokerFailureReason } from './broker-failure.js';
import type { ClientContext } from './client-context.js';
import { reportRequests } from './request-signals.js';

const { Partitioners, CompressionTypes: Codecs } = kafkajs;

const CODECS: Record<ProducerCompression, CompressionTypes> = {
  none: Codecs.None,
  gzip: Codecs.GZIP,
  snappy: Codecs.Snappy,
  lz4: Codecs.LZ4,
  zstd: Codecs.ZSTD,
};

export class KafkajsProducer implements StreamProducer {
  private readonly producer: Producer;
  private readonly acks: number;
  /** KafkaJS takes the codec per send, not per producer. */
  private readonly compression: CompressionTypes;

  constructor(
    kafka: Kafka,
    settings: ProducerSettings,
    private readonly context: ClientContext,
  ) {
    this.acks = settings.acks;
    this.compression = CODECS[settings.compression ?? 'none'];
    this.producer = kafka.producer({
      idempotent: settings.idempotent,
      // KafkaJS keeps idempotent ordering only with one request in flight.
      maxInFlightRequests: settings.idempotent ? 1 : undefined,
      allowAutoTopicCreation: false,
      // Java-compatible murmur2 for keyed records (KafkaJS's default, named so it does not warn about it).
      createPartitioner: Partitioners.DefaultPartitioner,
      ...settings.extra,
    });
    reportRequests(this.producer, context.reachability);
  }

  async connect(): Promise<void> {
    await this.producer.connect().catch((error: unknown) => {
      throw this.context.explainConnectFailure(error);
    });
  }

  async send(requests: ProduceRequest[]): Promise<RecordMetadata[]> {
    const results = await this.sendBatch(requests).catch((error: unknown) => {
      const unreachable = brokerFailureReason(error);
      if (unreachable) this.context.reachability.failed(unreachable);
      throw error;
    });
    return results.map((result) => ({
      topic: result.topicName,
      partition: result.partition,
      offset: result.baseOffset ?? result.offset ?? '-1',
    }));
  }

  private sendBatch(requests: ProduceRequest[]) {
    return this.producer.sendBatch({
      acks: this.acks,
      compression: this.compression,
      topicMessages: requests.map(({ topic, messages }) => ({
        topic,
        messages: messages.map((message) => ({ ...message, headers: message.headers as never })),
      })),
    });
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}
