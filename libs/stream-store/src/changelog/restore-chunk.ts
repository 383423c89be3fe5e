import type { KafkaRecord, RecordHeaders } from '../kafka/kafka-client.interface.js';
import type { RestoredPosition } from '../store/backend/journal-sql.js';
import type { StoredEntry } from '../store/backend/store-backend.interface.js';
import { CHANGELOG_HEADERS } from './changelog-naming.js';
import { isPositionKey, positionId, readPositionRecord } from './changelog-position.js';

/** What one fetched chunk of a changelog partition changes. */
export interface RestoreChunk {
  /** The latest value per key (tombstones are in `deletes`). */
  upserts: StoredEntry[];
  deletes: string[];
  /** The furthest consumed position per input partition, from the position records. */
  positions: RestoredPosition[];
}

/** What reading a changelog partition carries from one fetched chunk to the next. */
export interface Fencing {
  /** Newest assignment epoch seen per consumed partition (position id). */
  readonly epochs: Map<string, number>;
  /** Offsets below this one belong to a zombie's produced chunk: skipped. */
  skipUntil: bigint;
}

/** Changelogs written before chunks carried their length: a zombie's chunk ends at the next header. */
const UNTIL_NEXT_HEADER = 2n ** 63n;

export const startFencing = (epochs: Map<string, number>): Fencing => ({ epochs, skipUntil: 0n });

/**
 * The first record of each produced chunk says whose batch the chunk is, under which assignment
 * epoch, and how many records it has; a chunk of an epoch older than one already seen for its input
 * partition comes from a zombie and is skipped, also when a fetch split it. Compaction may remove
 * that first record: the chunk's other records are then applied (what compaction kept is the
 * latest the log has of them). Position records are fenced by the epoch they carry.
 */
export function readChunk(records: readonly KafkaRecord[], fencing: Fencing): RestoreChunk {
  const { epochs } = fencing;
  const latest = new Map<string, KafkaRecord>();
  const positions = new Map<string, RestoredPosition>();
  for (const record of records) {
    const offset = BigInt(record.offset);
    // Headers are decoded only where present: most records carry none.
    if (record.headers[CHANGELOG_HEADERS.epoch] !== undefined) {
      const chunk = chunkOf(record.headers);
      if (chunk) {
        const newest = epochs.get(chunk.id) ?? 0;
        if (chunk.epoch < newest) {
          fencing.skipUntil =
            chunk.records === undefined ? UNTIL_NEXT_HEADER : offset + BigInt(chunk.records);
        } else {
          epochs.set(chunk.id, chunk.epoch);
          fencing.skipUntil = 0n;
        }
      }
    }
    if (offset < fencing.skipUntil || !record.key) continue;
    if (isPositionKey(record.key)) {
      const position = readPositionRecord(record.value);
      if (!position) continue;
      const id = positionId(position);
      if (position.epoch < (epochs.get(id) ?? 0)) continue;
      epochs.set(id, position.epoch);
      const { group, topic, partition, offset: next } = position;
      const before = positions.get(id);
      // Forward only: a later record of one partition never moves its position back.
      if (!before || BigInt(next) > BigInt(before.offset))
        positions.set(id, { group, topic, partition, offset: next });
      continue;
    }
    latest.set(record.key.toString(), record);
  }
  const upserts: StoredEntry[] = [];
  const deletes: string[] = [];
  for (const [key, record] of latest) {
    if (record.value === null) deletes.push(key);
    else upserts.push({ key, value: record.value.toString(), expiresAt: expiresAt(record.headers) });
  }
  return { upserts, deletes, positions: [...positions.values()] };
}

function text(headers: RecordHeaders, name: string): string | undefined {
  return headers[name]?.toString();
}

/** The chunk a header-carrying record opens. */
function chunkOf(headers: RecordHeaders): { id: string; epoch: number; records?: number } | undefined {
  const group = text(headers, CHANGELOG_HEADERS.group);
  const topic = text(headers, CHANGELOG_HEADERS.topic);
  const partition = text(headers, CHANGELOG_HEADERS.partition);
  const epoch = text(headers, CHANGELOG_HEADERS.epoch);
  if (!group || !topic || partition === undefined || epoch === undefined) return undefined;
  const records = text(headers, CHANGELOG_HEADERS.records);
  return {
    id: positionId({ group, topic, partition: Number(partition) }),
    epoch: Number(epoch),
    records: records === undefined ? undefined : Number(records),
  };
}

function expiresAt(headers: RecordHeaders): number | null {
  const value = headers[CHANGELOG_HEADERS.expiresAt];
  return value === undefined ? null : Number(value.toString());
}
