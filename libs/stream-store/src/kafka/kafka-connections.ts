import { Inject, Injectable, Logger } from '@nestjs/common';
import { STREAM_STORE_OPTIONS } from '../constants.js';
import { ConfigurationError } from '../errors/configuration.error.js';
import type { ResolvedStreamStoreOptions } from '../options/resolve-options.js';
import type {
  BrokerReachabilityState,
  KafkaClient,
  ProducerCompression,
  StreamAdmin,
  StreamProducer,
} from './kafka-client.interface.js';
import { KafkajsClient } from './kafkajs/kafkajs-client.js';

const COMPRESSIONS: readonly ProducerCompression[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** The application's Kafka client with one shared admin and one shared producer. */
@Injectable()
export class KafkaConnections {
  private readonly logger = new Logger('StreamStore');
  readonly client: KafkaClient;
  readonly admin: StreamAdmin;
  readonly producer: StreamProducer;
  private connecting?: Promise<void>;
  private isConnected = false;

  constructor(@Inject(STREAM_STORE_OPTIONS) options: ResolvedStreamStoreOptions) {
    this.client =
      options.client ??
      new KafkajsClient({ ...options.kafka, brokers: [...options.brokers], clientId: options.clientId });
    this.admin = this.client.admin();
    const { idempotent = true, acks = -1, compression, ...extra } = options.producer ?? {};
    this.producer = this.client.producer({
      idempotent,
      acks,
      compression: producerCompression(compression),
      extra,
    });
  }

  /** Connects admin and producer once; later calls share the first attempt. */
  connect(): Promise<void> {
    this.connecting ??= Promise.allSettled([this.producer.connect(), this.admin.connect()]).then(
      (results) => {
        // The producer's error first: its client says what is likely wrong (e.g. a SASL listener).
        const failed = results.find((result) => result.status === 'rejected');
        if (failed) {
          this.connecting = undefined;
          throw failed.reason;
        }
        this.isConnected = true;
      },
    );
    return this.connecting;
  }

  /** True between a successful connect() and close(). */
  get connected(): boolean {
    return this.isConnected;
  }

  /**
   * Whether the brokers answer, from the traffic of every consumer, producer and reader (KafkaJS:
   * unreachable within 15 s of the brokers going away, reachable again at their first answer).
   * Clients that cannot tell count as reachable.
   */
  reachability(): BrokerReachabilityState {
    return this.client.reachability?.() ?? { reachable: true };
  }

  async close(): Promise<void> {
    await this.client.close?.();
    if (!this.connecting) return;
    this.connecting = undefined;
    this.isConnected = false;
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]).then((results) => {
      for (const result of results)
        if (result.status === 'rejected') this.logger.warn(`Kafka disconnect: ${String(result.reason)}`);
    });
  }
}

function producerCompression(value: unknown): ProducerCompression | undefined {
  if (value === undefined || COMPRESSIONS.includes(value as ProducerCompression))
    return value as ProducerCompression | undefined;
  throw new ConfigurationError(
    `producer.compression ${JSON.stringify(value)} is not a codec: use one of ${COMPRESSIONS.join(', ')}.`,
  );
}
