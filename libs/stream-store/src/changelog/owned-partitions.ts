import type { RestoredPosition } from '../store/backend/journal-sql.js';
import type { StoreBackend } from '../store/backend/store-backend.interface.js';
import { positionId } from './changelog-position.js';

/** The last batch written to a changelog partition for one consumed partition. */
export interface LastWrite {
  /** The consumed partition and the offset its batch commits. */
  readonly position: RestoredPosition;
  readonly epoch: number;
}

/**
 * The changelog partitions this process wrote since the last rebalance (so it owns them), with
 * the last batch of each consumed partition, and a lock per partition. A tombstone produced while a
 * batch is between its changelog write and its SQL commit could follow that batch's new value of
 * the key: the TTL sweeper tombstones a partition only under its lock (batches wait to write) and
 * only when every batch written is committed.
 */
export class OwnedPartitions {
  private readonly writes = new Map<number, Map<string, LastWrite>>();
  private readonly locks = new Map<number, Promise<unknown>>();

  /**
   * A batch of `position`'s partition is about to write to changelog partition `partition`: waits
   * for a sweep holding it, then records the write in the tick it saw the lock free (no await
   * between: no sweep can start in between).
   */
  async write(partition: number, position: RestoredPosition, epoch: number): Promise<void> {
    for (let lock = this.locks.get(partition); lock; lock = this.locks.get(partition)) await settled(lock);
    let writes = this.writes.get(partition);
    if (!writes) this.writes.set(partition, (writes = new Map()));
    writes.set(positionId(position), { position, epoch });
  }

  /** After a rebalance nothing is known to be owned until written again. */
  forget(): void {
    this.writes.clear();
  }

  partitions(): number[] {
    return [...this.writes.keys()];
  }

  /** The newest write to `partition` (its fencing headers go on tombstones), if any. */
  latest(partition: number): LastWrite | undefined {
    let latest: LastWrite | undefined;
    for (const write of this.writes.get(partition)?.values() ?? []) {
      if (!latest || write.epoch > latest.epoch) latest = write;
    }
    return latest;
  }

  /** Whether every batch written to `partition` is committed: its offsets row reached the batch's end. */
  async committed(partition: number, backend: StoreBackend): Promise<boolean> {
    for (const { position } of this.writes.get(partition)?.values() ?? []) {
      const stored = await backend.position(position.group, position);
      if (stored === undefined || BigInt(stored) < BigInt(position.offset)) return false;
    }
    return this.writes.has(partition);
  }

  /** Runs `work` holding `partition`'s lock: batches wait for it before writing to the changelog. */
  async exclusive<R>(partition: number, work: () => Promise<R>): Promise<R> {
    for (let lock = this.locks.get(partition); lock; lock = this.locks.get(partition)) await settled(lock);
    // Taken in the tick the lock was seen free (no await between): a write recorded before is in
    // `writes`, later ones wait.
    const running = work();
    this.locks.set(partition, running);
    try {
      return await running;
    } finally {
      if (this.locks.get(partition) === running) this.locks.delete(partition);
    }
  }
}

/** Resolves when `lock` settles: the holder's failure is the holder's to report. */
function settled(lock: Promise<unknown>): Promise<unknown> {
  return lock.then(
    () => undefined,
    () => undefined,
  );
}
