import type { KafkaRecord, RecordHeaders } from '../kafka/kafka-client.interface.js';
import type { RestoredPosition } from '../store/backend/journal-sql.js';
import type { StoredEntry } from '../store/backend/store-backend.interface.js';
import { CHANGELOG_HEADERS } from './changelog-naming.js';
import { isPositionKey, positionId, readPositionRecord } from './changelog-position.js';
import { type PendingBatch, PendingBatches } from './pending-batches.js';

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
  /** Where that chunk began: a checkpoint inside it would make a resumed restore apply its rest. */
  skipFrom: bigint;
  /** The chunk being read: its records before `end` belong to `batch` (none: applied as read). */
  chunk?: { end: bigint; batch?: PendingBatch };
  /** Batches read whose completion the log has not shown yet. */
  readonly pending: PendingBatches;
}

/** Changelogs written before chunks carried their length: a zombie's chunk ends at the next header. */
const UNTIL_NEXT_HEADER = 2n ** 63n;

export const startFencing = (epochs: Map<string, number>): Fencing => ({
  epochs,
  skipUntil: 0n,
  skipFrom: 0n,
  pending: new PendingBatches(),
});

/**
 * The first record of each produced chunk says whose batch the chunk is, under which assignment
 * epoch, and how many records it has; a chunk of an epoch older than one already seen for its input
 * partition comes from a zombie and is skipped, also when a fetch split it. A batch's changes count
 * only once the log shows the batch complete (see `PendingBatches`): they are held until then.
 * Compaction may remove a chunk's first record: its other records are then applied as read (what
 * compaction kept is the latest the log has of them). Position records are fenced by their epoch.
 */
export function readChunk(records: readonly KafkaRecord[], fencing: Fencing): RestoreChunk {
  const { epochs, pending } = fencing;
  const latest = new Map<string, KafkaRecord>();
  // Released records may be older than ones already taken: the newest per key wins.
  const take = (record: KafkaRecord) => {
    const key = record.key?.toString() ?? '';
    const before = latest.get(key);
    if (!before || BigInt(before.offset) < BigInt(record.offset)) latest.set(key, record);
  };
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
          fencing.skipFrom = offset;
          fencing.chunk = undefined;
        } else {
          epochs.set(chunk.id, chunk.epoch);
          fencing.skipUntil = 0n;
          fencing.chunk = {
            end: chunk.records === undefined ? UNTIL_NEXT_HEADER : offset + BigInt(chunk.records),
            batch: openBatch(pending, chunk, offset),
          };
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
      for (const released of pending.covered(id, position.offset, position.epoch)) take(released);
      const { group, topic, partition, offset: next } = position;
      const before = positions.get(id);
      // Forward only: a later record of one partition never moves its position back.
      if (!before || BigInt(next) > BigInt(before.offset))
        positions.set(id, { group, topic, partition, offset: next });
      continue;
    }
    const batch = fencing.chunk && offset < fencing.chunk.end ? fencing.chunk.batch : undefined;
    if (batch) {
      pending.hold(batch, record);
      continue;
    }
    pending.applied(record.key.toString(), offset);
    take(record);
  }
  const upserts: StoredEntry[] = [];
  const deletes: string[] = [];
  for (const [key, record] of latest) {
    if (record.value === null) deletes.push(key);
    else upserts.push({ key, value: record.value.toString(), expiresAt: expiresAt(record.headers) });
  }
  return { upserts, deletes, positions: [...positions.values()] };
}

/** The batch a chunk belongs to (none for chunks that are no batch's, e.g. expiry tombstones). */
function openBatch(pending: PendingBatches, chunk: ChunkHeader, offset: bigint): PendingBatch | undefined {
  if (chunk.to === undefined) return undefined;
  return pending.open({ id: chunk.id, epoch: chunk.epoch, from: chunk.from, to: chunk.to }, offset);
}

function text(headers: RecordHeaders, name: string): string | undefined {
  return headers[name]?.toString();
}

/** What the first record of a chunk says about it. */
interface ChunkHeader {
  id: string;
  epoch: number;
  records?: number;
  /** The batch's consumed offsets (absent on chunks that are not a batch's, e.g. expiry tombstones). */
  from?: string;
  to?: string;
}

/** The chunk a header-carrying record opens. */
function chunkOf(headers: RecordHeaders): ChunkHeader | undefined {
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
    from: text(headers, CHANGELOG_HEADERS.batchFrom),
    to: text(headers, CHANGELOG_HEADERS.batchTo),
  };
}

function expiresAt(headers: RecordHeaders): number | null {
  const value = headers[CHANGELOG_HEADERS.expiresAt];
  return value === undefined ? null : Number(value.toString());
}
