import { Inject, Injectable, Logger } from '@nestjs/common';
import { STREAM_STORE_OPTIONS } from '../constants.js';
import type { ResolvedStreamStoreOptions } from '../options/resolve-options.js';
import type { KafkaClient, StreamAdmin, StreamProducer } from './kafka-client.interface.js';
import { KafkajsClient } from './kafkajs/kafkajs-client.js';

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
    const { idempotent = true, acks = -1, ...extra } = options.producer ?? {};
    this.producer = this.client.producer({ idempotent, acks, extra });
  }

  /** Connects admin and producer once; later calls share the first attempt. */
  connect(): Promise<void> {
    this.connecting ??= Promise.all([this.admin.connect(), this.producer.connect()]).then(
      () => {
        this.isConnected = true;
      },
      (error: unknown) => {
        this.connecting = undefined;
        throw error;
      },
    );
    return this.connecting;
  }

  /** True between a successful connect() and close(). */
  get connected(): boolean {
    return this.isConnected;
  }

  async close(): Promise<void> {
    if (!this.connecting) return;
    this.connecting = undefined;
    this.isConnected = false;
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]).then((results) => {
      for (const result of results)
        if (result.status === 'rejected') this.logger.warn(`Kafka disconnect: ${String(result.reason)}`);
    });
  }
}
