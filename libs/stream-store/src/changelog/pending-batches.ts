import type { KafkaRecord } from '../kafka/kafka-client.interface.js';

/** A batch's changes read from a changelog, held until the log proves the batch complete. */
export interface PendingBatch {
  /** The consumed partition (position id) whose batch wrote them. */
  readonly id: string;
  readonly epoch: number;
  /** The consumed offsets the batch went from (undefined: the partition's first) and to. */
  readonly from?: string;
  readonly to: string;
  /** Changelog offset of its first record: a checkpoint must not pass it while it is held. */
  readonly first: bigint;
  readonly records: KafkaRecord[];
}

/**
 * Batches whose changes were read but no position record covering them yet. The position record
 * is written after the batch's SQL commit and outputs: changes without one were never committed
 * (or their instance died before its outputs were out), and applied they would count the batch
 * twice once its records are handled again from the older position. So a batch's changes wait for
 * a position record of its partition, which vouches for its lineage: the chain of held batches,
 * each starting where the one before ended, that ends at the record's offset. Held batches older
 * than where the chain breaks are released too (compaction removed the chunk headers in between);
 * the others were abandoned attempts (a crash, a redo elsewhere) and are dropped. What is still
 * held when the log ends is not applied (nor passed by the checkpoint).
 */
export class PendingBatches {
  private readonly byPartition = new Map<string, PendingBatch[]>();
  /** Keys of held records, with how many held records have them. */
  private readonly heldKeys = new Map<string, number>();
  /** Per held key: the newest changelog offset applied meanwhile (a held older value must not win). */
  private readonly appliedSince = new Map<string, bigint>();

  /** The batch `(id, epoch, to)` a chunk at `offset` belongs to, opened unless held already (a retried write repeats it). */
  open(batch: Omit<PendingBatch, 'first' | 'records'>, offset: bigint): PendingBatch {
    const held = this.byPartition.get(batch.id) ?? [];
    const same = held.find((entry) => entry.epoch === batch.epoch && entry.to === batch.to);
    if (same) return same;
    const opened: PendingBatch = { ...batch, first: offset, records: [] };
    this.byPartition.set(batch.id, [...held, opened]);
    return opened;
  }

  hold(batch: PendingBatch, record: KafkaRecord): void {
    batch.records.push(record);
    const key = keyOf(record);
    this.heldKeys.set(key, (this.heldKeys.get(key) ?? 0) + 1);
  }

  /** A record applied now: a held older value of its key must not overwrite it later. */
  applied(key: string, offset: bigint): void {
    if (!this.heldKeys.has(key)) return;
    const since = this.appliedSince.get(key);
    if (since === undefined || offset > since) this.appliedSince.set(key, offset);
  }

  /**
   * A position record of `id` at consumed offset `to`, written under `epoch`: the records of the
   * batches it vouches for (oldest first). The partition's other held batches up to `to` are
   * dropped; later ones wait. Of attempts ending at the same offset, the chain takes the one of the
   * record's epoch, then for each link the newest not newer than the batch it precedes.
   */
  covered(id: string, to: string, epoch: number): KafkaRecord[] {
    const held = this.byPartition.get(id) ?? [];
    const chain: PendingBatch[] = [];
    let start: string | undefined = to;
    let link = latestAttempt(held, to, (entry) => entry.epoch === epoch);
    while (link) {
      chain.push(link);
      start = link.from;
      const successor = link;
      link = latestAttempt(
        held.filter((entry) => !chain.includes(entry)),
        start,
        (entry) => entry.epoch <= successor.epoch,
      );
    }
    const upTo = (entry: PendingBatch, offset: string) => BigInt(entry.to) <= BigInt(offset);
    const rest = held.filter((entry) => !chain.includes(entry));
    const older = start === undefined ? [] : rest.filter((entry) => upTo(entry, start));
    const abandoned = rest.filter((entry) => !older.includes(entry) && upTo(entry, to));
    const waiting = rest.filter((entry) => !older.includes(entry) && !abandoned.includes(entry));
    if (waiting.length > 0) this.byPartition.set(id, waiting);
    else this.byPartition.delete(id);
    for (const entry of abandoned) this.forget(entry.records);
    return this.take([...older, ...chain]);
  }

  /** Changelog offset of the oldest held record; undefined when nothing is held. */
  oldest(): bigint | undefined {
    let oldest: bigint | undefined;
    for (const held of this.byPartition.values()) {
      for (const { first } of held) if (oldest === undefined || first < oldest) oldest = first;
    }
    return oldest;
  }

  /** Released batches' records, oldest first, less those a newer applied value of their key supersedes. */
  private take(batches: PendingBatch[]): KafkaRecord[] {
    const released = batches.sort((a, b) => (a.first < b.first ? -1 : 1)).flatMap((batch) => batch.records);
    const newer = released.filter((record) => {
      const since = this.appliedSince.get(keyOf(record));
      return since === undefined || since < BigInt(record.offset);
    });
    this.forget(released);
    for (const record of newer) this.applied(keyOf(record), BigInt(record.offset));
    return newer;
  }

  private forget(records: readonly KafkaRecord[]): void {
    for (const record of records) {
      const key = keyOf(record);
      const count = (this.heldKeys.get(key) ?? 1) - 1;
      if (count > 0) {
        this.heldKeys.set(key, count);
      } else {
        this.heldKeys.delete(key);
        this.appliedSince.delete(key);
      }
    }
  }
}

const keyOf = (record: KafkaRecord) => record.key?.toString() ?? '';

/** Of the held batches ending at `to` that `allowed` accepts, the newest epoch, then the last written. */
function latestAttempt(
  held: readonly PendingBatch[],
  to: string | undefined,
  allowed: (entry: PendingBatch) => boolean,
): PendingBatch | undefined {
  if (to === undefined) return undefined;
  let best: PendingBatch | undefined;
  for (const entry of held) {
    if (entry.to !== to || !allowed(entry)) continue;
    if (!best || entry.epoch > best.epoch || (entry.epoch === best.epoch && entry.first > best.first))
      best = entry;
  }
  return best;
}
