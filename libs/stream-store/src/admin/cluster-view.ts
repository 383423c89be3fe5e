import { Inject, Injectable } from '@nestjs/common';
import { STREAM_STORE_OPTIONS } from '../constants.js';
import type { BrokerInfo, StreamAdmin } from '../kafka/kafka-client.interface.js';
import { KafkaConnections } from '../kafka/kafka-connections.js';
import type { ResolvedStreamStoreOptions } from '../options/resolve-options.js';
import type {
  BrokerView,
  ClusterSnapshot,
  GroupPartitionLag,
  GroupView,
  TopicView,
} from './cluster-view.interface.js';
import { partitionLag } from './consumer-lag.js';
import { ownTopics, type OwnTopic } from './topic-naming.js';

/**
 * What the cluster holds for this application: brokers, the topics under its prefix with their partitions' leaders
 * and offsets, and consumer groups' committed offsets and lag. Read-only; every call asks the cluster afresh.
 * The shapes are plain data, ready for JSON (`samsa inspect`, health endpoints).
 */
@Injectable()
export class ClusterView {
  private readonly prefix: string;

  constructor(
    @Inject(STREAM_STORE_OPTIONS) options: ResolvedStreamStoreOptions,
    private readonly kafka: KafkaConnections,
  ) {
    this.prefix = options.topicPrefix;
  }

  async brokers(): Promise<BrokerView[]> {
    return toBrokers(await (await this.admin()).describeCluster());
  }

  /** The topics under the prefix, sorted by name, with their partitions. */
  async topics(): Promise<TopicView[]> {
    const admin = await this.admin();
    return this.describe(admin, ownTopics(await admin.listTopics(), this.prefix));
  }

  /** One topic by its name without the prefix, or `undefined` when it does not exist. */
  async topic(name: string): Promise<TopicView | undefined> {
    const admin = await this.admin();
    const [own] = ownTopics(await admin.listTopics(), this.prefix).filter((topic) => topic.name === name);
    return own && (await this.describe(admin, [own]))[0];
  }

  /** Every consumer group with committed offsets on topics under the prefix, sorted by id. */
  async groups(): Promise<GroupView[]> {
    const admin = await this.admin();
    const [topics, groupIds] = await Promise.all([this.topics(), admin.listGroups()]);
    return this.groupsOn(admin, groupIds, topics);
  }

  /**
   * A group's committed offsets and lag per partition. Without `topics` (names without the prefix): every topic under
   * the prefix on which the group committed something; with them: every partition of those topics.
   */
  async group(groupId: string, topics?: readonly string[]): Promise<GroupView> {
    const admin = await this.admin();
    if (!topics) return this.lagOf(admin, groupId, await this.topics(), true);
    const own = ownTopics(await admin.listTopics(), this.prefix).filter((topic) =>
      topics.includes(topic.name),
    );
    return this.lagOf(admin, groupId, await this.describe(admin, own), false);
  }

  /** Brokers, topics and groups in one go. */
  async snapshot(): Promise<ClusterSnapshot> {
    const admin = await this.admin();
    const [cluster, topics, groupIds] = await Promise.all([
      admin.describeCluster(),
      this.topics(),
      admin.listGroups(),
    ]);
    return {
      clusterId: cluster.clusterId,
      controller: cluster.controller,
      topicPrefix: this.prefix,
      brokers: toBrokers(cluster),
      topics,
      groups: await this.groupsOn(admin, groupIds, topics),
      takenAt: new Date().toISOString(),
    };
  }

  private async admin(): Promise<StreamAdmin> {
    await this.kafka.connect();
    return this.kafka.admin;
  }

  private async describe(admin: StreamAdmin, topics: OwnTopic[]): Promise<TopicView[]> {
    if (topics.length === 0) return [];
    const [metadata, offsets] = await Promise.all([
      admin.describeTopics(topics.map(({ topic }) => topic)),
      Promise.all(topics.map(({ topic }) => admin.fetchTopicOffsets(topic))),
    ]);
    return topics.map(({ topic, name, kind }, index) => {
      const ends = new Map(offsets[index].map((offset) => [offset.partition, offset]));
      const partitions = (metadata.get(topic) ?? []).map(({ partition, leader, replicas }) => ({
        partition,
        leader,
        replicas: [...replicas],
        earliest: ends.get(partition)?.low ?? '0',
        latest: ends.get(partition)?.high ?? '0',
      }));
      return { topic, name, kind, partitions };
    });
  }

  private async groupsOn(admin: StreamAdmin, groupIds: string[], topics: TopicView[]): Promise<GroupView[]> {
    const views = await Promise.all(groupIds.map((groupId) => this.lagOf(admin, groupId, topics, true)));
    return views
      .filter((view) => view.partitions.length > 0)
      .sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  }

  /** `committedOnly`: leave out topics on which the group committed nothing. */
  private async lagOf(
    admin: StreamAdmin,
    groupId: string,
    topics: TopicView[],
    committedOnly: boolean,
  ): Promise<GroupView> {
    const committed =
      topics.length === 0
        ? []
        : await admin.fetchGroupOffsets(
            groupId,
            topics.map(({ topic }) => topic),
          );
    const offsets = new Map(
      committed.map(({ topic, partition, offset }) => [`${partition}:${topic}`, offset]),
    );
    const partitions: GroupPartitionLag[] = [];
    for (const { topic, name, partitions: topicPartitions } of topics) {
      const rows = topicPartitions.map(({ partition, earliest, latest }) => {
        const offset = offsets.get(`${partition}:${topic}`) ?? '-1';
        return {
          topic,
          name,
          partition,
          committed: offset,
          earliest,
          latest,
          lag: partitionLag(offset, earliest, latest),
        };
      });
      if (committedOnly && rows.every((row) => BigInt(row.committed) < 0n)) continue;
      partitions.push(...rows);
    }
    return { groupId, lag: partitions.reduce((sum, row) => sum + row.lag, 0), partitions };
  }
}

function toBrokers({
  brokers,
  controller,
}: {
  brokers: BrokerInfo[];
  controller: number | null;
}): BrokerView[] {
  return brokers
    .map(({ nodeId, host, port }) => ({ nodeId, host, port, controller: nodeId === controller }))
    .sort((a, b) => a.nodeId - b.nodeId);
}
