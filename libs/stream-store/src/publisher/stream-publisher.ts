import { Inject, Injectable, Optional } from '@nestjs/common';
import type { SchemaRegistry } from '@samsa/schema';
import { STREAM_SCHEMA_REGISTRY, STREAM_STORE_OPTIONS } from '../constants.js';
import type { RecordHeaderValue, RecordMetadata } from '../kafka/kafka-client.interface.js';
import { KafkaConnections } from '../kafka/kafka-connections.js';
import type { ResolvedStreamStoreOptions } from '../options/resolve-options.js';
import { KeyPartitioner } from './key-partitioner.js';
import { MessageEncoder } from './message-encoder.js';
import { PartitionCounts } from './partition-counts.js';
import { PublishBatch } from './publish-batch.js';
import { DEFAULTS } from '../defaults.js';
import { NO_PUBLISH_OBSERVER, PUBLISH_OBSERVER, type PublishObserver } from './publish-observer.js';
import type {
  PublishBatchOptions,
  PublishOptions,
  PublishResult,
  PublishSetOptions,
} from './publish-options.interface.js';
import { RecordPreparer, type PreparedRecord } from './record-preparer.js';
import { RecordSender } from './record-sender.js';
import { TopicManager } from './topic-manager.js';
import type { OutputRecord } from '../store/unit-of-work.js';
import { traceSend } from '../telemetry/producer-tracing.js';

/**
 * Publishes `@Schema` messages (validated, in the envelope) and raw bytes to `<topicPrefix><topic>`. A missing topic
 * is created on first use with the configured defaults and the schema's retention.
 *
 * ```ts
 * await publisher.publish('content.edited', new ContentMessage(...), { key: 'user-1' });
 * ```
 */
@Injectable()
export class StreamPublisher {
  private readonly preparer: RecordPreparer;
  private readonly sender: RecordSender;
  private readonly prefix: string;

  constructor(
    @Inject(STREAM_STORE_OPTIONS) options: ResolvedStreamStoreOptions,
    @Inject(STREAM_SCHEMA_REGISTRY) registry: SchemaRegistry,
    kafka: KafkaConnections,
    topics: TopicManager,
    @Optional() @Inject(PUBLISH_OBSERVER) observer: PublishObserver = NO_PUBLISH_OBSERVER,
  ) {
    this.prefix = options.topicPrefix;
    this.preparer = new RecordPreparer(options.topicPrefix, new MessageEncoder(registry));
    const partitionCounts = new PartitionCounts(kafka.admin, DEFAULTS.partitionCountMaxAgeMs);
    this.sender = new RecordSender(kafka, topics, partitionCounts, new KeyPartitioner(), observer);
  }

  /**
   * Validates `message` against its `@Schema` class (registered on first use) and sends it. Rejects with a
   * `MessageValidationError` (nothing sent) for invalid data. Resolves once the brokers acknowledged it.
   */
  async publish(topic: string, message: object, options?: PublishOptions): Promise<PublishResult> {
    return traceSend(this.prefix + topic, 1, async () =>
      this.sendOne(await this.preparer.prepareAsync(topic, message, options)),
    );
  }

  /** Sends bytes (or text, or `null` for a tombstone) as they are: no envelope, no validation. */
  async publishRaw(
    topic: string,
    value: Buffer | string | null,
    options?: PublishOptions,
  ): Promise<PublishResult> {
    return traceSend(this.prefix + topic, 1, async () =>
      this.sendOne(this.preparer.prepareRaw(topic, value, options)),
    );
  }

  /**
   * Sends messages to one partition (the key's, or `partition`), in order and in one produce request: they are
   * written together and contiguously. Every message is validated before anything is sent. Resolves with where the
   * first one was written; the others follow it at the next offsets.
   */
  async publishSet(
    topic: string,
    messages: readonly object[],
    options: PublishSetOptions,
  ): Promise<PublishResult> {
    if (!Array.isArray(messages) || messages.length === 0) {
      throw new RangeError(`publishSet(${topic}) needs at least one message.`);
    }
    if (options?.key === undefined && options?.partition === undefined) {
      throw new TypeError(
        `publishSet(${topic}) needs a key or a partition, so that the whole set lands on one partition.`,
      );
    }
    return traceSend(this.prefix + topic, messages.length, async () => {
      const records = await Promise.all(
        messages.map((message) => this.preparer.prepareAsync(topic, message, options)),
      );
      return firstResult(records[0], await this.sender.send(records));
    });
  }

  /**
   * Validates and encodes a handler output without sending it: outputs are produced after the
   * handler's batch commits (through the outbox when the application has state stores).
   */
  prepareOutput(topic: string, message: object, options: PublishOptions = {}): OutputRecord {
    const { topic: kafkaTopic, message: encoded, config } = this.preparer.prepare(topic, message, options);
    const text = (value: RecordHeaderValue) => (value === undefined ? undefined : [value].flat().join(','));
    const headers = Object.fromEntries(
      Object.entries(encoded.headers ?? {}).map(([name, value]) => [name, text(value) ?? '']),
    );
    return {
      topic: kafkaTopic,
      key: encoded.key === undefined || encoded.key === null ? null : Buffer.from(encoded.key),
      value: encoded.value === null ? null : Buffer.from(encoded.value),
      headers,
      config,
    };
  }

  /** A buffer that sends many messages in few requests; see `PublishBatch`. */
  batch(options?: PublishBatchOptions): PublishBatch {
    return new PublishBatch(this.preparer, this.sender, options);
  }

  private async sendOne(record: PreparedRecord): Promise<PublishResult> {
    return firstResult(record, await this.sender.send([record]));
  }
}

/** With `acks: 0` the brokers answer nothing: the partition (unless chosen) and the offset are then -1. */
function firstResult(record: PreparedRecord, results: RecordMetadata[]): PublishResult {
  const result = results.find((candidate) => candidate.topic === record.topic);
  if (!result) return { topic: record.topic, partition: record.message.partition ?? -1, offset: '-1' };
  return { topic: result.topic, partition: result.partition, offset: result.offset };
}
