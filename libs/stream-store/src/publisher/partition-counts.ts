import { Logger } from '@nestjs/common';
import { StreamStoreError } from '../errors/stream-store.error.js';
import type { StreamAdmin } from '../kafka/kafka-client.interface.js';

interface Entry {
  count: Promise<number>;
  fetchedAt: number;
  refreshing: boolean;
}

/**
 * Partition counts per topic, for partitioning by key. The first lookup of a topic asks the cluster (concurrent
 * first lookups share one call); later lookups answer from memory, and an entry older than `maxAgeMs` is refreshed
 * in the background while the known count keeps answering (as the Java client's `metadata.max.age.ms`).
 */
export class PartitionCounts {
  private readonly logger = new Logger(PartitionCounts.name);
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly admin: StreamAdmin,
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(topic: string): Promise<number> {
    const entry = this.entries.get(topic);
    if (!entry) return this.load(topic);
    if (!entry.refreshing && this.now() - entry.fetchedAt > this.maxAgeMs) this.refresh(topic, entry);
    return entry.count;
  }

  /** Forget a topic, e.g. after it was deleted. */
  forget(topic: string): void {
    this.entries.delete(topic);
  }

  private load(topic: string): Promise<number> {
    const count = this.fetch(topic);
    this.entries.set(topic, { count, fetchedAt: this.now(), refreshing: false });
    // A failed first lookup is not remembered: the next publish asks again.
    count.catch(() => this.entries.delete(topic));
    return count;
  }

  private refresh(topic: string, entry: Entry): void {
    entry.refreshing = true;
    this.fetch(topic).then(
      (count) =>
        this.entries.set(topic, { count: Promise.resolve(count), fetchedAt: this.now(), refreshing: false }),
      (error: unknown) => {
        entry.refreshing = false;
        entry.fetchedAt = this.now();
        this.logger.warn(
          `Could not refresh the partition count of ${topic}, keeping the known one: ${String(error)}`,
        );
      },
    );
  }

  private async fetch(topic: string): Promise<number> {
    const partitions = (await this.admin.describeTopics([topic])).get(topic) ?? [];
    if (partitions.length === 0) {
      throw new StreamStoreError(
        `Topic ${topic} has no partitions in the cluster's metadata yet; publish again.`,
        {
          retriable: true,
        },
      );
    }
    return partitions.length;
  }
}
