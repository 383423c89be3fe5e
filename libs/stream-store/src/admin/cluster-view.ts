import { Inject, Injectable } from '@nestjs/common';
import { STREAM_STORE_OPTIONS } from '../constants.js';
import type { BrokerInfo, PartitionOffsets, StreamAdmin } from '../kafka/kafka-client.interface.js';
import { KafkaConnections } from '../kafka/kafka-connections.js';
import type { ResolvedStreamStoreOptions } from '../options/resolve-options.js';
import type {
  BrokerView,
  ClusterSnapshot,
  ClusterViewProgress,
  GroupPartitionLag,
  GroupView,
  TopicView,
} from './cluster-view.interface.js';
import { partitionLag } from './consumer-lag.js';
import { mapConcurrently } from './map-concurrently.js';
import { ownTopics, type OwnTopic } from './topic-naming.js';

/** Admin calls in flight at once where each asks about one topic or one group (the cluster's coordinators share them). */
const CONCURRENT_CALLS = 8;

/** Called as a long read advances; see `ClusterViewProgress`. */
export type OnClusterViewProgress = (progress: ClusterViewProgress) => void;

/**
 * What the cluster holds for this application: brokers, the topics under its prefix with their partitions' leaders
 * and offsets, and consumer groups' committed offsets and lag. Read-only; every call asks the cluster afresh.
 * The shapes are plain data, ready for JSON (`samsa inspect`, health endpoints).
 *
 * Sized for large clusters: the offsets of all topics come in a few requests (one per leader broker
 * and 500 topics), each group's commits in one request, at most 8 groups at a time. Long reads
 * report their progress through `onProgress`.
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
  async topics(onProgress?: OnClusterViewProgress): Promise<TopicView[]> {
    const admin = await this.admin();
    return this.describe(admin, ownTopics(await admin.listTopics(), this.prefix), onProgress);
  }

  /** One topic by its name without the prefix, or `undefined` when it does not exist. */
  async topic(name: string): Promise<TopicView | undefined> {
    const admin = await this.admin();
    const [own] = ownTopics(await admin.listTopics(), this.prefix).filter((topic) => topic.name === name);
    return own && (await this.describe(admin, [own]))[0];
  }

  /** Every consumer group with committed offsets on topics under the prefix, sorted by id. */
  async groups(onProgress?: OnClusterViewProgress): Promise<GroupView[]> {
    const admin = await this.admin();
    const [topics, groupIds] = await Promise.all([this.topics(onProgress), admin.listGroups()]);
    return this.groupsOn(admin, groupIds, topics, onProgress);
  }

  /**
   * A group's committed offsets and lag per partition. Without `topics` (names without the prefix): every topic under
   * the prefix on which the group committed something; with them: every partition of those topics.
   */
  async group(groupId: string, topics?: readonly string[]): Promise<GroupView> {
    const admin = await this.admin();
    if (!topics) {
      const all = await this.topics();
      return lagOf(groupId, all, await this.committedOn(admin, groupId, all), true);
    }
    const own = ownTopics(await admin.listTopics(), this.prefix).filter((topic) =>
      topics.includes(topic.name),
    );
    const described = await this.describe(admin, own);
    return lagOf(groupId, described, await this.committedOn(admin, groupId, described), false);
  }

  /** Brokers, topics and groups in one go. */
  async snapshot(onProgress?: OnClusterViewProgress): Promise<ClusterSnapshot> {
    const admin = await this.admin();
    const [cluster, topics, groupIds] = await Promise.all([
      admin.describeCluster(),
      this.topics(onProgress),
      admin.listGroups(),
    ]);
    return {
      clusterId: cluster.clusterId,
      controller: cluster.controller,
      topicPrefix: this.prefix,
      brokers: toBrokers(cluster),
      topics,
      groups: await this.groupsOn(admin, groupIds, topics, onProgress),
      takenAt: new Date().toISOString(),
    };
  }

  private async admin(): Promise<StreamAdmin> {
    await this.kafka.connect();
    return this.kafka.admin;
  }

  private async describe(
    admin: StreamAdmin,
    topics: OwnTopic[],
    onProgress?: OnClusterViewProgress,
  ): Promise<TopicView[]> {
    if (topics.length === 0) return [];
    const names = topics.map(({ topic }) => topic);
    const total = topics.length;
    onProgress?.({ step: 'topics', done: 0, total });
    const [metadata, offsets] = await Promise.all([
      admin.describeTopics(names),
      this.logBounds(admin, names, (done) => onProgress?.({ step: 'topics', done, total })),
    ]);
    return topics.map(({ topic, name, kind }) => {
      const ends = new Map((offsets.get(topic) ?? []).map((offset) => [offset.partition, offset]));
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

  /** In few requests when the client can, else per topic (a few at a time). */
  private async logBounds(
    admin: StreamAdmin,
    topics: string[],
    onProgress: (done: number) => void,
  ): Promise<Map<string, PartitionOffsets[]>> {
    if (admin.fetchTopicsOffsets) return admin.fetchTopicsOffsets(topics, onProgress);
    let done = 0;
    const offsets = await mapConcurrently(topics, CONCURRENT_CALLS, async (topic) => {
      const bounds = await admin.fetchTopicOffsets(topic);
      onProgress(++done);
      return bounds;
    });
    return new Map(topics.map((topic, index) => [topic, offsets[index]]));
  }

  private async groupsOn(
    admin: StreamAdmin,
    groupIds: string[],
    topics: TopicView[],
    onProgress?: OnClusterViewProgress,
  ): Promise<GroupView[]> {
    const total = groupIds.length;
    let done = 0;
    onProgress?.({ step: 'groups', done, total });
    const views = await mapConcurrently(groupIds, CONCURRENT_CALLS, async (groupId) => {
      const view = lagOf(groupId, topics, await this.committedOn(admin, groupId, topics), true);
      onProgress?.({ step: 'groups', done: ++done, total });
      return view;
    });
    return views
      .filter((view) => view.partitions.length > 0)
      .sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  }

  /** The group's committed offsets, by `<partition>:<topic>`, on `topics`. */
  private async committedOn(
    admin: StreamAdmin,
    groupId: string,
    topics: TopicView[],
  ): Promise<Map<string, string>> {
    if (topics.length === 0) return new Map();
    // One small request for what the group committed, rather than one naming every partition of every topic.
    const committed = admin.fetchCommittedOffsets
      ? await admin.fetchCommittedOffsets(groupId)
      : await admin.fetchGroupOffsets(
          groupId,
          topics.map(({ topic }) => topic),
        );
    return new Map(committed.map(({ topic, partition, offset }) => [`${partition}:${topic}`, offset]));
  }
}

/**
 * The group's lag on each partition of `topics`. `committedOnly`: leave out topics on which the group
 * committed nothing.
 */
function lagOf(
  groupId: string,
  topics: TopicView[],
  offsets: Map<string, string>,
  committedOnly: boolean,
): GroupView {
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
