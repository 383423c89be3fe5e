import type { TopicPartition } from '../kafka/kafka-client.interface.js';

export const partitionKey = ({ topic, partition }: TopicPartition): string => `${topic}:${partition}`;

/** An assigned partition that has not moved for a while: how long (ms), and its next offset if known. */
export interface Unmoved {
  forMs: number;
  /** The offset after the last record it finished; unknown until its first batch since assignment. */
  next?: string;
}

/** A partition that waits: since when (ms since the epoch) and why. */
export interface Waiting {
  reason: string;
  since: number;
}

/**
 * What health needs to know about one handler's partitions beyond "assigned": halted ones (someone
 * must act: they stay stopped until reassigned), waiting ones (an unreachable broker or database, a
 * timed-out run still going: they resume by themselves), and when each last moved — a partition
 * held up by anything else shows there (health asks Kafka whether records are waiting for it).
 */
export class PartitionStatus {
  private readonly haltedPartitions = new Map<string, string>();
  private readonly waitingPartitions = new Map<string, Waiting>();
  /** Per assigned partition: when it was assigned or last finished a batch, and the next offset. */
  private readonly movedAt = new Map<string, { at: number; next?: string }>();

  get halted(): ReadonlyMap<string, string> {
    return this.haltedPartitions;
  }

  get waiting(): ReadonlyMap<string, Waiting> {
    return this.waitingPartitions;
  }

  isHalted(partition: TopicPartition): boolean {
    return this.haltedPartitions.has(partitionKey(partition));
  }

  halt(partition: TopicPartition, reason: string): void {
    this.waitingPartitions.delete(partitionKey(partition));
    this.haltedPartitions.set(partitionKey(partition), reason);
  }

  /** Marks the partition waiting; true when it was not waiting before (a new outage). */
  wait(partition: TopicPartition, reason: string): boolean {
    const key = partitionKey(partition);
    const current = this.waitingPartitions.get(key);
    this.waitingPartitions.set(key, { reason, since: current?.since ?? Date.now() });
    return current === undefined;
  }

  /** Ends a wait; resolves how long it lasted in ms, or undefined when it was not waiting. */
  recovered(partition: TopicPartition): number | undefined {
    const key = partitionKey(partition);
    const current = this.waitingPartitions.get(key);
    if (!current) return undefined;
    this.waitingPartitions.delete(key);
    return Date.now() - current.since;
  }

  /** The partition finished a batch up to `next` (records done, dead-lettered or skipped). */
  moved(partition: TopicPartition, next: string): void {
    const key = partitionKey(partition);
    if (this.movedAt.has(key)) this.movedAt.set(key, { at: Date.now(), next });
  }

  /**
   * Assigned partitions, neither halted nor waiting, that have not moved for `afterMs`: how long
   * (ms). Idle may just mean caught up: whether records wait is for the caller to ask.
   */
  unmoved(afterMs: number, now = Date.now()): Map<string, Unmoved> {
    const unmoved = new Map<string, Unmoved>();
    for (const [key, { at, next }] of this.movedAt) {
      if (this.haltedPartitions.has(key) || this.waitingPartitions.has(key)) continue;
      if (now - at >= afterMs) unmoved.set(key, { forMs: now - at, next });
    }
    return unmoved;
  }

  /** A new assignment: halts and waits of partitions this member owns again start afresh. */
  reassigned(assigned: readonly TopicPartition[]): TopicPartition[] {
    const lifted = assigned.filter((partition) => this.haltedPartitions.has(partitionKey(partition)));
    this.haltedPartitions.clear();
    this.waitingPartitions.clear();
    const now = Date.now();
    this.movedAt.clear();
    for (const partition of assigned) this.movedAt.set(partitionKey(partition), { at: now });
    return lifted;
  }

  /** The member left its group (shutdown, a rejoin): nothing is assigned until the next assignment. */
  unassigned(): void {
    this.movedAt.clear();
  }
}
