import kafkajs, { type Admin, type ConfigResourceTypes, type ConfigSource, type Kafka } from 'kafkajs';
import type {
  BrokerInfo,
  GroupMembers,
  PartitionInfo,
  PartitionOffsets,
  StreamAdmin,
  TopicPartitionOffset,
  TopicSpec,
} from '../kafka-client.interface.js';
import { advertisedUrlOf } from './advertising-assigner.js';
import { openableCluster, type KafkajsCluster } from './kafkajs-cluster.js';
import { KafkajsLogBounds } from './kafkajs-log-bounds.js';

const { AssignerProtocol } = kafkajs;

// KafkaJS's enums are not named exports of its CommonJS entry under Node's ESM loader: their values, typed.
const TOPIC_RESOURCE = 2 as ConfigResourceTypes.TOPIC;
const SET_ON_TOPIC = 1 as ConfigSource.TOPIC_CONFIG;

/**
 * KafkaJS's admin keeps one metadata cache that `fetchTopicMetadata` replaces, so concurrent calls
 * can see each other's half-updated metadata (tulios/kafkajs#461): calls run one at a time.
 */
export class KafkajsAdmin implements StreamAdmin {
  private readonly admin: Admin;
  private queue: Promise<unknown> = Promise.resolve();
  /** A second admin for calls that run concurrently (they read no topic metadata); opened on first use. */
  private concurrent?: Promise<Admin>;
  /** The cluster `commitGroupOffsets` commits through; opened on first use. */
  private committer?: Promise<KafkajsCluster>;

  constructor(private readonly kafka: Kafka) {
    this.admin = kafka.admin();
  }

  connect(): Promise<void> {
    return this.admin.connect();
  }

  async disconnect(): Promise<void> {
    const { concurrent, committer } = this;
    this.concurrent = undefined;
    this.committer = undefined;
    await Promise.all([
      this.admin.disconnect(),
      // Opened on demand, so one that failed to open has nothing to close.
      concurrent?.then((admin) => admin.disconnect()).catch(() => undefined),
      committer?.then((cluster) => cluster.disconnect()).catch(() => undefined),
    ]);
  }

  listTopics(): Promise<string[]> {
    return this.serial(() => this.admin.listTopics());
  }

  createTopics(specs: TopicSpec[]): Promise<boolean> {
    return this.serial(() =>
      this.admin.createTopics({
        // Its wait gives up on UNKNOWN_TOPIC_OR_PARTITION while a loaded broker spreads the metadata;
        // callers wait for the topic to be served instead (TopicManager).
        waitForLeaders: false,
        topics: specs.map((spec) => ({
          topic: spec.topic,
          numPartitions: spec.partitions,
          replicationFactor: spec.replicationFactor,
          configEntries: Object.entries(spec.config ?? {}).map(([name, value]) => ({ name, value })),
        })),
      }),
    );
  }

  async describeTopics(topics: string[]): Promise<Map<string, PartitionInfo[]>> {
    const { topics: described } = await this.serial(() => this.admin.fetchTopicMetadata({ topics }));
    return new Map(
      described.map((topic) => [
        topic.name,
        topic.partitions
          .map(({ partitionId, leader, replicas }) => ({ partition: partitionId, leader, replicas }))
          .sort((a, b) => a.partition - b.partition),
      ]),
    );
  }

  async describeTopicConfigs(
    topics: string[],
    names: string[],
  ): Promise<Map<string, Record<string, string>>> {
    if (topics.length === 0) return new Map();
    const { resources } = await this.serial(() =>
      this.admin.describeConfigs({
        includeSynonyms: false,
        resources: topics.map((name) => ({ type: TOPIC_RESOURCE, name, configNames: names })),
      }),
    );
    return new Map(
      resources.map(({ resourceName, configEntries }) => [
        resourceName,
        Object.fromEntries(
          configEntries
            .filter((entry) => entry.configSource === SET_ON_TOPIC)
            .map((entry) => [entry.configName, entry.configValue]),
        ),
      ]),
    );
  }

  async fetchTopicOffsets(topic: string): Promise<PartitionOffsets[]> {
    const offsets = await this.serial(() => this.admin.fetchTopicOffsets(topic));
    return offsets
      .map(({ partition, low, high }) => ({ partition, low, high }))
      .sort((a, b) => a.partition - b.partition);
  }

  /** ListOffsets goes to each partition's leader, which answers only for a partition it serves. */
  async servedPartitions(topic: string): Promise<number> {
    return (await this.fetchTopicOffsets(topic)).length;
  }

  /** On a cluster of its own (no shared metadata): one ListOffsets request per leader broker and bound. */
  async fetchTopicsOffsets(
    topics: readonly string[],
    onProgress?: (done: number) => void,
  ): Promise<Map<string, PartitionOffsets[]>> {
    const bounds = await KafkajsLogBounds.open(this.kafka);
    if (!bounds) return this.fetchEachTopicOffsets(topics, onProgress);
    try {
      return await bounds.fetch(topics, onProgress);
    } finally {
      await bounds.close();
    }
  }

  async fetchCommittedOffsets(groupId: string): Promise<TopicPartitionOffset[]> {
    this.concurrent ??= this.openConcurrent();
    const admin = await this.concurrent;
    // No topics: the coordinator answers with everything the group committed.
    const fetched = await admin.fetchOffsets({ groupId });
    return fetched.flatMap(({ topic, partitions }) =>
      partitions.map(({ partition, offset }) => ({ topic, partition, offset })),
    );
  }

  /**
   * A commit outside any generation (as the Java client's `commitSync` of a consumer that only
   * assigned partitions), on a cluster of its own; KafkaJS's `setOffsets` would join the group
   * with a throw-away consumer for each call, and is the fallback.
   */
  async commitGroupOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    const byTopic = new Map<string, Array<{ partition: number; offset: string }>>();
    for (const { topic, partition, offset } of offsets) {
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), { partition, offset }]);
    }
    const open = openableCluster(this.kafka);
    if (!open) {
      for (const [topic, partitions] of byTopic) {
        await this.serial(() => this.admin.setOffsets({ groupId, topic, partitions }));
      }
      return;
    }
    this.committer ??= connected(open()).catch((error: unknown) => {
      this.committer = undefined;
      throw error;
    });
    const coordinator = await (await this.committer).findGroupCoordinator({ groupId });
    await coordinator.offsetCommit({
      groupId,
      groupGenerationId: -1,
      memberId: '',
      topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
    });
  }

  async fetchGroupOffsets(groupId: string, topics: string[]): Promise<TopicPartitionOffset[]> {
    const fetched = await this.serial(() => this.admin.fetchOffsets({ groupId, topics }));
    return fetched.flatMap(({ topic, partitions }) =>
      partitions.map(({ partition, offset }) => ({ topic, partition, offset })),
    );
  }

  async describeCluster(): Promise<{ brokers: BrokerInfo[]; controller: number | null; clusterId: string }> {
    const { brokers, controller, clusterId } = await this.serial(() => this.admin.describeCluster());
    return {
      brokers: brokers.map(({ nodeId, host, port }) => ({ nodeId, host, port })),
      controller,
      clusterId,
    };
  }

  /** A KafkaJS without the cluster factory that KafkajsLogBounds uses: per topic, as before. */
  private async fetchEachTopicOffsets(
    topics: readonly string[],
    onProgress?: (done: number) => void,
  ): Promise<Map<string, PartitionOffsets[]>> {
    const bounds = new Map<string, PartitionOffsets[]>();
    for (const topic of topics) {
      bounds.set(topic, await this.fetchTopicOffsets(topic));
      onProgress?.(bounds.size);
    }
    return bounds;
  }

  private async openConcurrent(): Promise<Admin> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      return admin;
    } catch (error) {
      this.concurrent = undefined;
      throw error;
    }
  }

  private serial<T>(call: () => Promise<T>): Promise<T> {
    const result = this.queue.then(call, call);
    this.queue = result.catch(() => undefined);
    return result;
  }

  async listGroups(): Promise<string[]> {
    const { groups } = await this.serial(() => this.admin.listGroups());
    return groups.map((group) => group.groupId);
  }

  async describeGroupMembers(groupId: string): Promise<GroupMembers> {
    const { groups } = await this.serial(() => this.admin.describeGroups([groupId]));
    const group = groups.find((described) => described.groupId === groupId);
    if (!group) return { rebalancing: false, members: [] };
    return {
      rebalancing: group.state === 'PreparingRebalance' || group.state === 'CompletingRebalance',
      members: group.members.map((member) => ({
        memberId: member.memberId,
        clientId: member.clientId,
        host: member.clientHost,
        // Empty while the group rebalances: the assignment of the new generation is not synced yet.
        assigned: Object.entries(
          AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment ?? {},
        ).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition }))),
        advertisedUrl: advertisedUrlOf(member.memberMetadata),
      })),
    };
  }
}

/** `cluster` once connected. */
async function connected(cluster: KafkajsCluster): Promise<KafkajsCluster> {
  await cluster.connect();
  return cluster;
}
