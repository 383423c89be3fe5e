import type { TopicPartition } from '../kafka/kafka-client.interface.js';

export const partitionKey = ({ topic, partition }: TopicPartition): string => `${topic}:${partition}`;

/** A partition that waits: since when (ms since the epoch) and why. */
export interface Waiting {
  reason: string;
  since: number;
}

/**
 * What health needs to know about one handler's partitions beyond "assigned": halted ones (someone
 * must act: they stay stopped until reassigned) and waiting ones (an unreachable broker or
 * database, a timed-out run still going: they resume by themselves).
 */
export class PartitionStatus {
  private readonly haltedPartitions = new Map<string, string>();
  private readonly waitingPartitions = new Map<string, Waiting>();

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

  /** A new assignment: halts and waits of partitions this member owns again start afresh. */
  reassigned(assigned: readonly TopicPartition[]): TopicPartition[] {
    const lifted = assigned.filter((partition) => this.haltedPartitions.has(partitionKey(partition)));
    this.haltedPartitions.clear();
    this.waitingPartitions.clear();
    return lifted;
  }
}
