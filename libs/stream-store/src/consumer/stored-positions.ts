import { Logger } from '@nestjs/common';
import type { Changelogs } from '../changelog/changelogs.js';
import type { PartitionOffsets, TopicPartition } from '../kafka/kafka-client.interface.js';
import type { OffsetLedger } from '../store/offset-ledger.interface.js';
import { isInfrastructureFailure } from '../errors/failure-kind.js';
import { partitionKey } from './partition-status.js';

/** What to do when a stored offset lies outside the partition's log (see `offsetReset`). */
export type OffsetResetPolicy = 'halt' | 'earliest' | 'latest';

/** Where a partition's processing stands, from SQL. */
export interface StoredPosition {
  /** The offset row as stored (the compare-and-set's `from`); undefined when none is stored. */
  stored: string | undefined;
  /** The first offset to handle: `stored`, unless the policy moved it into the log. */
  start: string | undefined;
}

/** The stored offset lies outside the log: the partition stops until someone resets it. */
export class OutOfRange {
  constructor(readonly reason: string) {}
}

export interface StoredPositionsDeps {
  ledger: OffsetLedger;
  changelogs?: Changelogs;
  watermarks: (topic: string) => Promise<PartitionOffsets[]>;
  group: string;
  handler: string;
  policy: OffsetResetPolicy;
}

/**
 * The SQL positions of one handler's partitions, read once per assignment (after the partition's
 * state caught up with its changelogs) and checked against the log: an offset beyond its end (the
 * topic was recreated, or this is another cluster) or below its start (records expired unhandled)
 * is never skipped over silently.
 */
export class StoredPositions {
  private readonly logger: Logger;
  private readonly cache = new Map<string, Promise<StoredPosition | OutOfRange>>();
  /** Log bounds per topic while they are being asked for. */
  private readonly bounds = new Map<string, Promise<PartitionOffsets[]>>();

  constructor(private readonly deps: StoredPositionsDeps) {
    this.logger = new Logger(`StreamHandler ${deps.handler}`);
  }

  get(partition: TopicPartition): Promise<StoredPosition | OutOfRange> {
    const key = partitionKey(partition);
    let position = this.cache.get(key);
    if (!position) {
      position = this.read(partition);
      // A failed restore or read is tried again with the next batch, not cached.
      const cached = position;
      cached.catch(() => {
        if (this.cache.get(key) === cached) this.cache.delete(key);
      });
      this.cache.set(key, position);
    }
    return position;
  }

  /** After a commit: the stored offset is `to`. */
  committed(partition: TopicPartition, to: string): void {
    this.cache.set(partitionKey(partition), Promise.resolve({ stored: to, start: to }));
  }

  forget(partition: TopicPartition): void {
    this.cache.delete(partitionKey(partition));
  }

  clear(): void {
    this.cache.clear();
  }

  private boundsOf(topic: string): Promise<PartitionOffsets[]> {
    let bounds = this.bounds.get(topic);
    if (!bounds) {
      // Shared by the reads in flight (an assignment reads all its partitions at once), then
      // forgotten: a later read (after a commit moved the offset on) must see the log as it is then.
      bounds = this.deps.watermarks(topic).finally(() => this.bounds.delete(topic));
      this.bounds.set(topic, bounds);
    }
    return bounds;
  }

  /**
   * The partition's log bounds; undefined when they cannot be had (the client may fail on a topic
   * whose metadata it lacks): the check is then skipped, not the partition.
   */
  private async watermarks(partition: TopicPartition): Promise<PartitionOffsets | undefined> {
    try {
      return (await this.boundsOf(partition.topic)).find((p) => p.partition === partition.partition);
    } catch (error) {
      if (isInfrastructureFailure(error)) throw error;
      this.logger.warn(
        `Log bounds of ${partitionKey(partition)} unknown, its stored offset is used unchecked: ${String(error)}`,
      );
      return undefined;
    }
  }

  private async read(partition: TopicPartition): Promise<StoredPosition | OutOfRange> {
    // Local state catches up with the changelogs before the partition's offset is read.
    await this.deps.changelogs?.restore(partition.partition);
    const stored = await this.deps.ledger.position(this.deps.group, partition);
    if (stored === undefined) return { stored, start: undefined };
    const log = await this.watermarks(partition);
    if (!log) return { stored, start: stored };
    const [offset, low, high] = [BigInt(stored), BigInt(log.low), BigInt(log.high)];
    if (offset >= low && offset <= high) return { stored, start: stored };
    const where =
      offset > high
        ? `beyond the log end ${log.high} (was the topic deleted and recreated, or is this another cluster?)`
        : `below the log start ${log.low} (records ${stored}..${low - 1n} expired before they were handled)`;
    const what = `Stored offset ${stored} of ${partitionKey(partition)} for group ${this.deps.group} is ${where}`;
    switch (this.deps.policy) {
      case 'earliest':
        this.logger.warn(`${what}; offsetReset 'earliest': handling from offset ${log.low}`);
        return { stored, start: log.low };
      case 'latest':
        this.logger.warn(`${what}; offsetReset 'latest': handling from offset ${log.high}`);
        return { stored, start: log.high };
      case 'halt':
        return new OutOfRange(
          `${what}. The partition is stopped: set the handler's (or forRoot's) \`offsetReset\` to 'earliest' or ` +
            `'latest' and restart, or delete its row from samsa_offsets.`,
        );
    }
  }
}
