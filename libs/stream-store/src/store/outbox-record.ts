import { randomUUID } from 'node:crypto';
import type { OutboxRow } from './backend/journal-sql.js';
import type { OutputRecord } from './unit-of-work.js';

/** An output as stored in the outbox: JSON, with key and value as base64. */
interface StoredOutput {
  topic: string;
  key: string | null;
  value: string | null;
  headers?: Record<string, string>;
  config?: Record<string, string>;
}

export function toOutboxRow(output: OutputRecord): OutboxRow {
  const stored: StoredOutput = {
    topic: output.topic,
    key: output.key === null ? null : output.key.toString('base64'),
    value: output.value === null ? null : output.value.toString('base64'),
    headers: output.headers,
    config: output.config,
  };
  return { id: randomUUID(), record: JSON.stringify(stored) };
}

export function fromOutboxRow(row: OutboxRow): OutputRecord {
  const stored = JSON.parse(row.record) as StoredOutput;
  const bytes = (text: string | null) => (text === null ? null : Buffer.from(text, 'base64'));
  return { ...stored, key: bytes(stored.key), value: bytes(stored.value) };
}
