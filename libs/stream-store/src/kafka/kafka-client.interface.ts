/**
 * The seam between samsa and a Kafka client library. KafkaJS is the default implementation;
 * another client (e.g. Confluent's KafkaJS-compatible one) plugs in by implementing these.
 */

/** A name a record repeats holds all its values, in order (as KafkaJS decodes and encodes them). */
export type RecordHeaderValue = Buffer | string | Array<Buffer | string> | undefined;
/** Consumed headers are null-prototype objects: any name, `__proto__` included, is an ordinary own header. */
export type RecordHeaders = Record<string, RecordHeaderValue>;

export interface KafkaRecord {
  topic: string;
  partition: number;
  /** Offset as a decimal string: Kafka offsets are 64-bit. */
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeaders;
  /** Milliseconds since the epoch, as a decimal string. */
  timestamp: string;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  /** The next offset to read, as a decimal string. */
  offset: string;
}

export interface RecordBatch extends TopicPartition {
  records: KafkaRecord[];
}

/** What the consume loop may do while it works through one batch. */
export interface BatchControl {
  /** Keeps the group session alive during long handlers. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or the partition was revoked: stop early. */
  isActive(): boolean;
  /** Commits the partition's next offset; works while the consumer drains on shutdown. */
  commit(nextOffset: string): Promise<void>;
  /**
   * Resolves false when the group coordinator no longer knows this member (it was evicted, e.g. past
   * its session timeout, and the partition may be another's already): the batch must not write.
   * True otherwise: after a heartbeat the coordinator accepted, the partition stays this member's for
   * at least the session timeout less the heartbeat interval. Optional for other clients.
   */
  confirmMembership?(): Promise<boolean>;
}

export interface ConsumerCallbacks {
  /** Resolves with the offset of the last record done (handled or dead-lettered), if any. */
  eachBatch(batch: RecordBatch, control: BatchControl): Promise<string | undefined>;
  /** Called after each rebalance with the partitions this member now owns. */
  onAssignment?(assigned: TopicPartition[]): Promise<void> | void;
  /** The client gave up (e.g. a non-retriable error); the loop reports it to health. */
  onCrash?(error: Error): void;
  /**
   * The client crashed and restarts by itself (it fetches again from the committed offsets).
   * `restarts` counts the restarts since a batch last completed: one that keeps growing means the
   * consumer is stuck (e.g. on the same batch).
   */
  onRestart?(error: Error, restarts: number): void;
}

export interface ConsumerSettings {
  groupId: string;
  /** Partitions consumed in parallel by this consumer. */
  concurrency: number;
  /** Where a group without committed offsets starts. */
  fromBeginning: boolean;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  maxBytesPerPartition?: number;
  /**
   * An endpoint of this instance (e.g. `http://10.0.0.7:3000`) carried in its group membership, so
   * that other members learn where to send queries for the partitions it owns
   * (`StreamAdmin.describeGroupMembers`). Default: none advertised.
   */
  advertisedUrl?: string;
  /** Any client-specific setting, passed through unchanged. */
  extra?: Record<string, unknown>;
}

export interface StreamConsumer {
  connect(): Promise<void>;
  subscribe(topics: string[]): Promise<void>;
  run(callbacks: ConsumerCallbacks): Promise<void>;
  seek(position: TopicPartitionOffset): void;
  commit(offsets: TopicPartitionOffset[]): Promise<void>;
  pause(partitions: TopicPartition[]): void;
  resume(partitions: TopicPartition[]): void;
  /** Stops fetching and waits for in-flight batches, then leaves the group. */
  disconnect(): Promise<void>;
}

export interface ProduceMessage {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  partition?: number;
  headers?: RecordHeaders;
  timestamp?: string;
}

export interface ProduceRequest {
  topic: string;
  messages: ProduceMessage[];
}

export interface RecordMetadata {
  topic: string;
  partition: number;
  /** Base offset of the written messages of this topic-partition. */
  offset: string;
}

/** Codecs a producer can compress record batches with; consumers read all of them. */
export type ProducerCompression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export interface ProducerSettings {
  idempotent: boolean;
  /** -1 = all in-sync replicas. */
  acks: -1 | 0 | 1;
  /** Codec of the batches sent. Default `none`. */
  compression?: ProducerCompression;
  extra?: Record<string, unknown>;
}

export interface StreamProducer {
  connect(): Promise<void>;
  send(requests: ProduceRequest[]): Promise<RecordMetadata[]>;
  disconnect(): Promise<void>;
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor: number;
  config?: Record<string, string>;
}

export interface PartitionInfo {
  partition: number;
  leader: number;
  replicas: number[];
}

export interface PartitionOffsets {
  partition: number;
  /** Earliest offset still in the log. */
  low: string;
  /** The next offset to be written (log end). */
  high: string;
}

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
}

export interface StreamAdmin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  listTopics(): Promise<string[]>;
  /** Resolves true when something was created; existing topics are not an error. */
  createTopics(specs: TopicSpec[]): Promise<boolean>;
  describeTopics(topics: string[]): Promise<Map<string, PartitionInfo[]>>;
  /**
   * The configs among `names` that are set on each topic itself (not inherited from the broker's
   * defaults), by topic; a topic with none set maps to an empty object.
   */
  describeTopicConfigs(topics: string[], names: string[]): Promise<Map<string, Record<string, string>>>;
  fetchTopicOffsets(topic: string): Promise<PartitionOffsets[]>;
  /**
   * Optional: how many partitions of `topic` their leaders serve (answer for), asked of the leaders
   * themselves; a topic just created is in the metadata a moment before its leaders serve it.
   * Without it, a leader in the metadata counts as serving.
   */
  servedPartitions?(topic: string): Promise<number>;
  /**
   * Optional: the log bounds of many topics in few requests, by topic (a topic deleted meanwhile is
   * left out); `onProgress` with the number of topics done so far. Without it, callers ask
   * `fetchTopicOffsets` per topic.
   */
  fetchTopicsOffsets?(
    topics: readonly string[],
    onProgress?: (done: number) => void,
  ): Promise<Map<string, PartitionOffsets[]>>;
  /** Committed offsets of a group; -1 where it has none. */
  fetchGroupOffsets(groupId: string, topics: string[]): Promise<TopicPartitionOffset[]>;
  /**
   * Optional: every offset a group committed, on any topic, in one request (no topic metadata).
   * Safe to call concurrently. Without it, callers ask `fetchGroupOffsets` for the topics they know.
   */
  fetchCommittedOffsets?(groupId: string): Promise<TopicPartitionOffset[]>;
  /**
   * Optional: commits offsets for a group nobody consumes in (a tool's bookmark, e.g. `samsa dlq
   * replay`). Rejects while the group has members.
   */
  commitGroupOffsets?(groupId: string, offsets: TopicPartitionOffset[]): Promise<void>;
  describeCluster(): Promise<{ brokers: BrokerInfo[]; controller: number | null; clusterId: string }>;
  listGroups(): Promise<string[]>;
  /**
   * Optional: the group's members with their current assignment and advertised endpoint. Clients
   * without it cannot say who owns a partition (`StreamMetadata` then answers from this instance's
   * own assignment only).
   */
  describeGroupMembers?(groupId: string): Promise<GroupMembers>;
}

/** A consumer group as its coordinator describes it. */
export interface GroupMembers {
  /** True while the group rebalances: assignments are then empty or in flux. */
  rebalancing: boolean;
  /** No members when the group is empty (nobody consumes) or unknown. */
  members: GroupMemberInfo[];
}

export interface GroupMemberInfo {
  memberId: string;
  clientId: string;
  /** The member's host as the broker saw it. */
  host: string;
  /** Partitions assigned to it in the group's current generation. */
  assigned: TopicPartition[];
  /** What it advertises (`ConsumerSettings.advertisedUrl`), if anything. */
  advertisedUrl?: string;
}

/** Whether the brokers answer; see `KafkaClient.reachability`. */
export interface BrokerReachabilityState {
  reachable: boolean;
  /** Why not, when unreachable: how long nothing answered and the last failure. */
  reason?: string;
  /** When unreachable: since when no broker answered (ms since the epoch). */
  since?: number;
}

export interface KafkaClient {
  consumer(settings: ConsumerSettings): StreamConsumer;
  producer(settings: ProducerSettings): StreamProducer;
  admin(): StreamAdmin;
  reader(): StreamReader;
  /**
   * Optional: whether the brokers answer, judged from the traffic of every consumer, producer and
   * reader of this client (and probes while it is quiet). Clients without it count as reachable.
   */
  reachability?(): BrokerReachabilityState;
  /** Optional: stops what the client runs on its own (e.g. probes); its consumers etc. close themselves. */
  close?(): Promise<void>;
}

export interface ReadOptions {
  /** Partitions to read; all when omitted. */
  partitions?: number[];
  /** First offset per partition; the log start when omitted. */
  from?: Map<number, string>;
}

/** Reads topics from a position to their current end, outside any application group. */
export interface StreamReader {
  /** Calls `onRecords` in offset order per partition, and resolves once every partition reached its end. */
  readToEnd(
    topic: string,
    options: ReadOptions,
    onRecords: (records: KafkaRecord[]) => Promise<void> | void,
  ): Promise<void>;
  /**
   * Optional: one long-lived reader of `topics` for many partition reads, so that only the first
   * waits for a connection (KafkaJS: a group join). Without it, restores call `readToEnd` per
   * partition.
   */
  partitionReader?(topics: readonly string[]): PartitionReader;
}

/** Offsets `from` (included) to `end` (excluded) of one partition, as decimal strings. */
export interface PartitionRange extends TopicPartition {
  from: string;
  end: string;
}

/** Reads ranges of partitions as they are asked for; its owner closes it. */
export interface PartitionReader {
  /** The topics it can read (fixed when it was opened). */
  readonly topics: readonly string[];
  /**
   * Calls `onRecords` in offset order with the records of the range, and resolves once `end` was
   * reached; reads of different partitions share fetches. One read per partition at a time.
   */
  read(range: PartitionRange, onRecords: (records: KafkaRecord[]) => Promise<void> | void): Promise<void>;
  /** Ends the reads still running (they reject) and disconnects. */
  close(): Promise<void>;
}
