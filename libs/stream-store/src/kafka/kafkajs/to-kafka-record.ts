import type { Batch, KafkaMessage } from 'kafkajs';
import type { KafkaRecord } from '../kafka-client.interface.js';

/** A KafkaJS message of `batch` as samsa's client-neutral record. */
export function toKafkaRecord(batch: Pick<Batch, 'topic' | 'partition'>, message: KafkaMessage): KafkaRecord {
  return {
    topic: batch.topic,
    partition: batch.partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers: (message.headers ?? {}) as KafkaRecord['headers'],
    timestamp: message.timestamp,
  };
}
