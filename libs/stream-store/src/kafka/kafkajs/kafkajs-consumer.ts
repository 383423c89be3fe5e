import { Logger } from '@nestjs/common';
import kafkajs, { type Consumer, type EachBatchPayload, type Kafka } from 'kafkajs';
import type {
  ConsumerCallbacks,
  ConsumerSettings,
  StreamConsumer,
  TopicPartition,
  TopicPartitionOffset,
} from '../kafka-client.interface.js';
import { advertisingAssigner } from './advertising-assigner.js';
import { copartitionedAssigner } from './copartitioned-assigner.js';
import { brokerFailureReason } from './broker-failure.js';
import { isEvicted } from './kafkajs-failures.js';
import type { ClientContext } from './client-context.js';
import { reportRequests } from './request-signals.js';
import { toKafkaRecord } from './to-kafka-record.js';

const { PartitionAssigners } = kafkajs;

/** A group member backed by a KafkaJS consumer; offsets are committed only when samsa says so. */
export class KafkajsConsumer implements StreamConsumer {
  private readonly consumer: Consumer;
  private readonly fromBeginning: boolean;
  private readonly concurrency: number;
  /** Counts seeks: a batch can only go stale through one, so staleness is checked again only after one. */
  private seeks = 0;
  /** KafkaJS restarts since a batch last completed. */
  private restarts = 0;
  private readonly groupId: string;
  private readonly logger = new Logger('StreamStore');

  constructor(
    kafka: Kafka,
    settings: ConsumerSettings,
    private readonly context: ClientContext,
  ) {
    this.groupId = settings.groupId;
    this.fromBeginning = settings.fromBeginning;
    this.concurrency = settings.concurrency;
    this.consumer = kafka.consumer({
      groupId: settings.groupId,
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: settings.heartbeatIntervalMs,
      maxBytesPerPartition: settings.maxBytesPerPartition,
      // Partition p of every topic to one member (one writer per state partition); round-robin
      // second, for a group still holding members of a samsa without it. The endpoint rides in
      // the member's user data. `consumer: { partitionAssigners }` in forRoot replaces both.
      partitionAssigners: [
        copartitionedAssigner(settings.advertisedUrl),
        settings.advertisedUrl === undefined
          ? PartitionAssigners.roundRobin
          : advertisingAssigner(settings.advertisedUrl),
      ],
      ...settings.extra,
    });
    reportRequests(this.consumer, context.reachability);
  }

  async connect(): Promise<void> {
    await this.consumer.connect().catch((error: unknown) => {
      throw this.context.explainConnectFailure(error);
    });
  }

  async subscribe(topics: string[]): Promise<void> {
    if (topics.length > 0) await this.consumer.subscribe({ topics, fromBeginning: this.fromBeginning });
  }

  async run(callbacks: ConsumerCallbacks): Promise<void> {
    const { GROUP_JOIN, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, async ({ payload }) => {
      const assigned = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
        partitions.map((partition) => ({ topic, partition })),
      );
      await callbacks.onAssignment?.(assigned);
    });
    // Only a crash KafkaJS does not restart from is final; a restarted consumer rejoins and goes on.
    this.consumer.on(CRASH, ({ payload }) => this.onCrash(payload.error, payload.restart, callbacks));
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.concurrency,
      eachBatch: (payload) => this.eachBatch(payload, callbacks).catch(restartable),
    });
  }

  private async eachBatch(payload: EachBatchPayload, callbacks: ConsumerCallbacks): Promise<void> {
    const { batch } = payload;
    const records = batch.messages.map((message) => toKafkaRecord(batch, message));
    const active = this.activity(payload);
    const done = await callbacks.eachBatch(
      { topic: batch.topic, partition: batch.partition, records },
      {
        heartbeat: payload.heartbeat,
        isActive: active,
        confirmMembership: () =>
          payload.heartbeat().then(
            () => true,
            (error: unknown) => !isEvicted(error),
          ),
        // The batch's own commit: the consumer-level one is a no-op once stop() began.
        commit: (offset) =>
          payload.commitOffsetsIfNecessary({
            topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset }] }],
          }),
      },
    );
    // Moves KafkaJS's fetch position; records after `done` are fetched again.
    if (done !== undefined) payload.resolveOffset(done);
    this.restarts = 0;
  }

  /**
   * KafkaJS logs its crashes as attempts (see kafkajs-log.ts); the outcome is reported here: a
   * restart to `onRestart` with the count of restarts in a row (the caller logs and judges it), a
   * final stop as ERROR and to `onCrash`.
   */
  private onCrash(error: Error, restart: boolean, callbacks: ConsumerCallbacks): void {
    const unreachable = brokerFailureReason(error);
    if (unreachable) this.context.reachability.failed(unreachable);
    if (restart) {
      this.restarts++;
      callbacks.onRestart?.(error, this.restarts);
      return;
    }
    this.logger.error(
      `Consumer ${this.groupId} stopped and does not restart: ${error.message}. ` +
        'Its handler consumes nothing until the application restarts; fix the cause first.',
    );
    callbacks.onCrash?.(error);
  }

  /**
   * `isActive` of a batch: running, and not made stale by a seek. KafkaJS's `isStale()` builds a JSON
   * key per call, too dear for every record; only a seek (ours, through `seek()`) makes a batch stale,
   * so it is asked again only when one happened since the last answer.
   */
  private activity(payload: EachBatchPayload): () => boolean {
    let seeksSeen = this.seeks;
    let stale = payload.isStale();
    return () => {
      if (seeksSeen !== this.seeks) {
        seeksSeen = this.seeks;
        stale = payload.isStale();
      }
      return payload.isRunning() && !stale;
    };
  }

  seek(position: TopicPartitionOffset): void {
    this.seeks++;
    this.consumer.seek(position);
  }

  async commit(offsets: TopicPartitionOffset[]): Promise<void> {
    if (offsets.length > 0) await this.consumer.commitOffsets(offsets);
  }

  pause(partitions: TopicPartition[]): void {
    this.consumer.pause(groupByTopic(partitions));
  }

  resume(partitions: TopicPartition[]): void {
    this.consumer.resume(groupByTopic(partitions));
  }

  async disconnect(): Promise<void> {
    await this.consumer.disconnect();
  }
}

function groupByTopic(partitions: TopicPartition[]): Array<{ topic: string; partitions: number[] }> {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of partitions)
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
  return [...byTopic].map(([topic, list]) => ({ topic, partitions: list }));
}

/**
 * A failed batch (a database error at commit, a failed restore) must not end consumption: KafkaJS
 * restarts a crashed consumer only when the root cause is retriable, and then fetches again from
 * the committed offsets. The original stays reachable as `original`, not `cause`, because KafkaJS
 * judges the root of the `cause` chain.
 */
function restartable(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  throw Object.assign(new Error(`Batch failed, the consumer restarts: ${message}`), {
    retriable: true,
    original: error,
  });
}
