import type { KafkaRecord, RecordHeaders } from '../kafka/kafka-client.interface.js';
import type { RestoredPosition } from '../store/backend/journal-sql.js';
import type { StoredEntry } from '../store/backend/store-backend.interface.js';
import { CHANGELOG_HEADERS } from './changelog-naming.js';

/** What one fetched chunk of a changelog partition changes. */
export interface RestoreChunk {
  /** The latest value per key (tombstones are in `deletes`). */
  upserts: StoredEntry[];
  deletes: string[];
  /** The furthest consumed position per input partition, from the position headers. */
  positions: RestoredPosition[];
}

/** What reading a changelog partition carries from one fetched chunk to the next. */
export interface Fencing {
  /** Newest assignment epoch seen per consumed partition (position id). */
  readonly epochs: Map<string, number>;
  /** Whether the records read last belong to a zombie's produced chunk. */
  skipping: boolean;
}

/**
 * Records inherit the position and epoch of the last record that carried them (the first of each
 * produced chunk, which a fetch may have split); records of an epoch older than one already seen
 * for their input partition come from a zombie and are skipped. Headers are decoded only where
 * present: most records carry none.
 */
export function readChunk(records: readonly KafkaRecord[], fencing: Fencing): RestoreChunk {
  const { epochs } = fencing;
  const latest = new Map<string, KafkaRecord>();
  const positions = new Map<string, RestoredPosition>();
  let skipping = fencing.skipping;
  for (const record of records) {
    const headers = record.headers;
    if (headers[CHANGELOG_HEADERS.offset] !== undefined) {
      const position = positionOf(headers);
      if (position) {
        const id = positionId(position);
        const epoch = Number(text(headers, CHANGELOG_HEADERS.epoch) ?? 0);
        skipping = epoch < (epochs.get(id) ?? 0);
        if (!skipping) {
          epochs.set(id, epoch);
          positions.set(id, position);
        }
      }
    }
    if (!skipping && record.key) latest.set(record.key.toString(), record);
  }
  fencing.skipping = skipping;
  const upserts: StoredEntry[] = [];
  const deletes: string[] = [];
  for (const [key, record] of latest) {
    if (record.value === null) deletes.push(key);
    else upserts.push({ key, value: record.value.toString(), expiresAt: expiresAt(record.headers) });
  }
  return { upserts, deletes, positions: [...positions.values()] };
}

export function positionId({ group, topic, partition }: RestoredPosition): string {
  return `${group}\u0000${topic}\u0000${partition}`;
}

function text(headers: RecordHeaders, name: string): string | undefined {
  return headers[name]?.toString();
}

function positionOf(headers: RecordHeaders): RestoredPosition | undefined {
  const group = text(headers, CHANGELOG_HEADERS.group);
  const topic = text(headers, CHANGELOG_HEADERS.topic);
  const partition = text(headers, CHANGELOG_HEADERS.partition);
  const offset = text(headers, CHANGELOG_HEADERS.offset);
  if (!group || !topic || partition === undefined || offset === undefined) return undefined;
  return { group, topic, partition: Number(partition), offset };
}

function expiresAt(headers: RecordHeaders): number | null {
  const value = headers[CHANGELOG_HEADERS.expiresAt];
  return value === undefined ? null : Number(value.toString());
}
