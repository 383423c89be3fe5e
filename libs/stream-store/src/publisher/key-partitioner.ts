import { Partitioners, type PartitionMetadata } from 'kafkajs';

/** Stands in for every partition: with a key, only the number of partitions matters. */
const ANY_PARTITION: PartitionMetadata = Object.freeze({
  partitionId: 0,
  leader: 0,
  replicas: [0],
  isr: [0],
  partitionErrorCode: 0,
});

/**
 * Picks the partition of a key as Kafka's default partitioner does: `toPositive(murmur2(key)) % count`,
 * compatible with the Java client (and librdkafka's `murmur2_random`). Reuses KafkaJS's Java-compatible
 * `DefaultPartitioner` rather than a hand-written murmur2.
 */
export class KeyPartitioner {
  private readonly pick = Partitioners.DefaultPartitioner();
  private readonly metadataByCount = new Map<number, PartitionMetadata[]>();

  partition(key: Buffer | string, partitionCount: number): number {
    if (!Number.isInteger(partitionCount) || partitionCount < 1) {
      throw new RangeError(`partitionCount must be a whole number ≥ 1, got ${partitionCount}`);
    }
    const partitionMetadata = this.metadataFor(partitionCount);
    return this.pick({ topic: '', partitionMetadata, message: { key, value: null } });
  }

  private metadataFor(count: number): PartitionMetadata[] {
    let metadata = this.metadataByCount.get(count);
    if (!metadata) {
      metadata = new Array<PartitionMetadata>(count).fill(ANY_PARTITION);
      this.metadataByCount.set(count, metadata);
    }
    return metadata;
  }
}
