import type { Batch, IHeaders, KafkaMessage } from 'kafkajs';
import type { KafkaRecord, RecordHeaders } from '../kafka-client.interface.js';

/** A KafkaJS message of `batch` as samsa's client-neutral record. */
export function toKafkaRecord(batch: Pick<Batch, 'topic' | 'partition'>, message: KafkaMessage): KafkaRecord {
  return {
    topic: batch.topic,
    partition: batch.partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers: message.headers ? toRecordHeaders(message.headers) : (Object.create(null) as RecordHeaders),
    timestamp: message.timestamp,
  };
}

/** What a plain object answers for a name it does not have, e.g. `Object.prototype` for `__proto__`. */
const inherited = (name: string): unknown => (({}) as Record<string, unknown>)[name];

/**
 * KafkaJS decodes headers into a plain object by spreading: a name repeated in the record becomes an
 * array of its values, and a name a plain object inherits (`__proto__`, `constructor`, `toString`...)
 * is read as "already there", so its array starts with the inherited value (`__proto__` →
 * `[Object.prototype, value]`), which the producer then cannot encode. The copy is a null-prototype
 * object without those inherited values: every header name is an ordinary own key, and
 * `Object.prototype` is never reachable (nor writable) through it.
 */
export function toRecordHeaders(decoded: IHeaders): RecordHeaders {
  // Repeated names keep all their values, as KafkaJS gives and takes them; `RecordHeaders` does not
  // spell out the array form yet, hence the wider type here.
  const headers = Object.create(null) as IHeaders;
  for (const name of Object.keys(decoded)) {
    const value = decoded[name];
    if (!Array.isArray(value)) {
      headers[name] = value;
      continue;
    }
    const inheritedValue = inherited(name);
    const values = inheritedValue !== undefined && value[0] === inheritedValue ? value.slice(1) : value;
    headers[name] = values.length === 1 ? values[0] : values;
  }
  return headers as RecordHeaders;
}
