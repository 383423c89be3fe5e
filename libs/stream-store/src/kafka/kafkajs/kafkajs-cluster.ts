import type { Kafka } from 'kafkajs';

/**
 * The part of KafkaJS's `Cluster` - the object its admin, producers and consumers talk through -
 * that samsa uses where the admin has no call for the job: log bounds of many topics in one request
 * per broker, and a tool's offset commit without joining a group.
 */
export interface KafkajsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  findTopicPartitionMetadata(topic: string): Array<{ partitionId: number }>;
  metadata(): Promise<{ topicMetadata: Array<{ topic: string }> }>;
  fetchTopicsOffset(
    topics: Array<{ topic: string; fromBeginning: boolean; partitions: Array<{ partition: number }> }>,
  ): Promise<Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>>;
  findGroupCoordinator(options: { groupId: string }): Promise<{
    offsetCommit(request: {
      groupId: string;
      groupGenerationId: number;
      memberId: string;
      topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>;
    }): Promise<unknown>;
  }>;
}

/**
 * A new cluster of `kafka`'s brokers and settings, with metadata of its own. The factory is a
 * private (symbol-keyed) member of KafkaJS's `Kafka` object: `undefined` when a KafkaJS version no
 * longer has it, and callers fall back to the admin's calls.
 */
export function openableCluster(kafka: Kafka): (() => KafkajsCluster) | undefined {
  const key = Object.getOwnPropertySymbols(kafka).find(
    (symbol) => symbol.description === 'private:Kafka:createCluster',
  );
  const factory: unknown = key && (kafka as unknown as Record<symbol, unknown>)[key];
  if (typeof factory !== 'function') return undefined;
  // As KafkaJS builds its admin's cluster.
  return () => (factory as (options: object) => KafkajsCluster)({ allowAutoTopicCreation: false });
}
