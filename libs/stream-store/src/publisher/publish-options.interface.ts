import type { RecordHeaders } from '../kafka/kafka-client.interface.js';

/** Where and how one message is published. */
export interface PublishOptions {
  /**
   * Record key. Messages with the same key go to the same partition, picked as Kafka's default partitioner
   * does (murmur2, compatible with the Java client). Default: none (the client spreads keyless messages).
   */
  key?: Buffer | string;
  /** Record headers. Default: none. */
  headers?: RecordHeaders;
  /** An explicit partition, overriding the key's. Default: from the key. */
  partition?: number;
}

/** Options of `publishSet()`: a key or a partition is required, so that the whole set lands on one partition. */
export type PublishSetOptions = PublishOptions;

/** When a `PublishBatch` sends what it buffered. */
export interface PublishBatchOptions {
  /** Send once this many messages are buffered. Default 500. */
  maxMessages?: number;
  /** Send before the buffered keys, values and headers would exceed this many bytes. Default 512 KiB. */
  maxBytes?: number;
  /** Send this many milliseconds after the first message of a new batch was appended. Default 20 ms. */
  lingerMs?: number;
  /**
   * Bytes appended but not yet acknowledged by Kafka above which `append()` returns a promise that
   * resolves once sends have caught up: await it to bound memory when appending faster than Kafka
   * takes. Default 16 MiB.
   */
  maxQueuedBytes?: number;
}

/** Where a message (or the first message of a set) was written. */
export interface PublishResult {
  /** The Kafka topic, with the application's topic prefix. */
  topic: string;
  partition: number;
  /** Offset as a decimal string: Kafka offsets are 64-bit. */
  offset: string;
}
