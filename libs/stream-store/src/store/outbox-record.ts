import { randomUUID } from 'node:crypto';
import type { TopicPartition } from '../kafka/kafka-client.interface.js';
import type { OutboxRow } from './backend/journal-sql.js';
import type { OutputRecord } from './unit-of-work.js';

/** Where an output came from: the consumer group and input partition whose batch committed it. */
export interface OutputSource extends TopicPartition {
  readonly group: string;
}

/** An output waiting in the outbox, as the relay handles it. */
export interface PendingOutput {
  /** The outbox row's id. */
  readonly id: string;
  readonly output: OutputRecord;
  /** When its batch committed, in ms since the epoch (rows written before samsa recorded it: when first read). */
  readonly committedAt: number;
  readonly source?: OutputSource;
  /** The stored row's length: what the output costs while it waits in memory. */
  readonly size: number;
}

/** An output as stored in the outbox: JSON, with key and value as base64. */
interface StoredOutput {
  topic: string;
  key: string | null;
  value: string | null;
  headers?: Record<string, string>;
  config?: Record<string, string>;
  committedAt?: number;
  source?: OutputSource;
}

export function toOutboxRow(
  output: OutputRecord,
  source?: OutputSource,
  committedAt = Date.now(),
): OutboxRow {
  const stored: StoredOutput = {
    topic: output.topic,
    key: output.key === null ? null : output.key.toString('base64'),
    value: output.value === null ? null : output.value.toString('base64'),
    headers: output.headers,
    config: output.config,
    committedAt,
    source,
  };
  return { id: randomUUID(), record: JSON.stringify(stored) };
}

/** The row as the relay handles it. */
export function readOutboxRow(row: OutboxRow, now = Date.now()): PendingOutput {
  const { committedAt, source, ...stored } = JSON.parse(row.record) as StoredOutput;
  const bytes = (text: string | null) => (text === null ? null : Buffer.from(text, 'base64'));
  return {
    id: row.id,
    output: { ...stored, key: bytes(stored.key), value: bytes(stored.value) },
    committedAt: committedAt ?? now,
    source,
    size: row.record.length,
  };
}
