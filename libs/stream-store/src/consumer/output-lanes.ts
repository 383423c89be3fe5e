import type { PartitionCounts } from '../publisher/partition-counts.js';
import { KeyPartitioner } from '../publisher/key-partitioner.js';
import type { PendingOutput } from '../store/outbox-record.js';

/** Outputs of one topic bound for one partition, in order: Kafka appends each produce of them whole or not at all. */
export interface OutputLane {
  /** The partition, or undefined when the partition count is unknown (the client then picks per record). */
  readonly partition?: number;
  readonly outputs: PendingOutput[];
}

/**
 * Splits a topic's outputs into lanes by the partition Kafka's default partitioner gives their key (outputs
 * without a key take turns). Sending each lane on its own means a refused or failed send leaves every other
 * partition's outputs sent exactly once, rather than resent with the failed ones. Without partition counts,
 * the whole topic is one lane.
 */
export class OutputLanes {
  private readonly partitioner = new KeyPartitioner();
  private unkeyed = 0;

  constructor(private readonly counts?: Pick<PartitionCounts, 'get'>) {}

  async of(topic: string, outputs: readonly PendingOutput[]): Promise<OutputLane[]> {
    if (!this.counts) return [{ outputs: [...outputs] }];
    const count = await this.counts.get(topic);
    const lanes = new Map<number, PendingOutput[]>();
    for (const pending of outputs) {
      const { key } = pending.output;
      const partition = key === null ? this.unkeyed++ % count : this.partitioner.partition(key, count);
      const lane = lanes.get(partition);
      if (lane) lane.push(pending);
      else lanes.set(partition, [pending]);
    }
    return [...lanes].map(([partition, list]) => ({ partition, outputs: list }));
  }
}
