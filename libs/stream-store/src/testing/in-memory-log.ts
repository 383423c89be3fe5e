import { EventEmitter } from 'node:events';
import type { KafkaRecord, ProduceMessage, RecordHeaders } from '../kafka/kafka-client.interface.js';

/** The topics of an in-memory cluster: append-only partition logs plus committed group offsets. */
export class InMemoryLog {
  readonly topics = new Map<string, KafkaRecord[][]>();
  readonly committed = new Map<string, string>();
  /** Emits `append` whenever records arrive, so consumers wake up. */
  readonly events = new EventEmitter().setMaxListeners(0);

  create(topic: string, partitions = 1): boolean {
    if (this.topics.has(topic)) return false;
    this.topics.set(
      topic,
      Array.from({ length: partitions }, () => []),
    );
    this.events.emit('append');
    return true;
  }

  append(topic: string, message: ProduceMessage): KafkaRecord {
    if (!this.topics.has(topic)) this.create(topic);
    const partitions = this.topics.get(topic) ?? [];
    const partition = message.partition ?? partitionFor(message.key, partitions.length);
    const log = partitions[partition];
    const record: KafkaRecord = {
      topic,
      partition,
      offset: String(log.length),
      key: toBuffer(message.key),
      value: toBuffer(message.value),
      headers: Object.assign(Object.create(null) as RecordHeaders, message.headers),
      timestamp: message.timestamp ?? String(Date.now()),
    };
    log.push(record);
    this.events.emit('append');
    return record;
  }

  commitKey(group: string, topic: string, partition: number): string {
    return `${group}\u0000${topic}\u0000${partition}`;
  }
}

function toBuffer(value: Buffer | string | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return Buffer.isBuffer(value) ? value : Buffer.from(value);
}

/** A stable spread of keys; unlike Kafka's murmur2, only meant for in-process tests. */
function partitionFor(key: Buffer | string | null | undefined, partitions: number): number {
  if (!key || partitions === 1) return 0;
  let hash = 0;
  for (const byte of Buffer.from(key)) hash = (hash * 31 + byte) >>> 0;
  return hash % partitions;
}
