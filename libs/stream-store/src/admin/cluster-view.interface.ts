// Plain, JSON-friendly shapes of the cluster view: offsets are decimal strings (Kafka offsets are 64-bit), lags are
// numbers of messages.

export interface BrokerView {
  nodeId: number;
  host: string;
  port: number;
  /** Whether this broker is the cluster's controller. */
  controller: boolean;
}

/** What a topic under the prefix is for: user streams, dead letters, schema contracts or store changelogs. */
export type TopicKind = 'stream' | 'dead-letter' | 'schema' | 'changelog';

export interface PartitionView {
  partition: number;
  /** Node id of the leader; -1 while it has none. */
  leader: number;
  replicas: number[];
  /** First offset still in the log. */
  earliest: string;
  /** Offset the next message will get (the log end). */
  latest: string;
}

export interface TopicView {
  /** The Kafka topic, with the application's prefix. */
  topic: string;
  /** The topic as the application names it: without the prefix. */
  name: string;
  kind: TopicKind;
  partitions: PartitionView[];
}

export interface GroupPartitionLag {
  /** The Kafka topic, with the prefix. */
  topic: string;
  /** The topic without the prefix. */
  name: string;
  partition: number;
  /** The group's committed offset (the next one it reads), or `-1` when it committed none. */
  committed: string;
  earliest: string;
  latest: string;
  /** `latest − committed`, or `latest − earliest` when nothing was committed. */
  lag: number;
}

export interface GroupView {
  groupId: string;
  /** Sum of the partitions' lag. */
  lag: number;
  partitions: GroupPartitionLag[];
}

export interface ClusterSnapshot {
  clusterId: string;
  /** Node id of the controller, or `null` when unknown. */
  controller: number | null;
  /** The application's topic prefix (may be empty). */
  topicPrefix: string;
  brokers: BrokerView[];
  topics: TopicView[];
  /** Groups with committed offsets on topics under the prefix. */
  groups: GroupView[];
  /** When the snapshot was taken, ISO 8601. */
  takenAt: string;
}

/** How far a long read of the cluster got: log bounds of `topics`, then committed offsets of `groups`. */
export interface ClusterViewProgress {
  step: 'topics' | 'groups';
  /** Topics or groups read so far. */
  done: number;
  total: number;
}
