import { randomUUID } from 'node:crypto';
import type { Batch, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { KafkaRecord, PartitionRange, PartitionReader } from '../kafka-client.interface.js';
import { brokerFailureReason } from './broker-failure.js';
import type { ClientContext } from './client-context.js';
import { reportRequests } from './request-signals.js';
import { toKafkaRecord } from './to-kafka-record.js';

/**
 * Also how long an idle reader (every partition paused) sleeps before it sees a new read: short,
 * so that restores asked for one after another do not wait for each other's long polls.
 */
const MAX_WAIT_MS = 10;
/** Bounds the records decoded at once (KafkaJS's defaults: 1 MiB per partition, 10 MiB per fetch). */
const MAX_BYTES_PER_PARTITION = 1024 * 1024;
const MAX_BYTES = 4 * 1024 * 1024;

type OnRecords = (records: KafkaRecord[]) => Promise<void> | void;

interface ActiveRead {
  topic: string;
  partition: number;
  /** The next offset to deliver. */
  next: bigint;
  end: bigint;
  onRecords: OnRecords;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * KafkaJS has no group-less assign(): the reader joins a throw-away group once (it is then the only
 * member, so it owns every partition of its topics), keeps paused every partition that no read
 * wants, and moves a read's partition to its start with seek(). Later reads need no join.
 */
export class KafkajsPartitionReader implements PartitionReader {
  private readonly consumer: Consumer;
  private readonly groupId = `samsa-reader-${randomUUID()}`;
  private readonly reads = new Map<string, ActiveRead>();
  private started?: Promise<void>;
  private joined = false;
  private failure?: Error;

  constructor(
    private readonly kafka: Kafka,
    readonly topics: readonly string[],
    private readonly context: ClientContext,
  ) {
    this.consumer = kafka.consumer({
      groupId: this.groupId,
      maxWaitTimeInMs: MAX_WAIT_MS,
      maxBytesPerPartition: MAX_BYTES_PER_PARTITION,
      maxBytes: MAX_BYTES,
      allowAutoTopicCreation: false,
    });
    reportRequests(this.consumer, context.reachability);
  }

  read(range: PartitionRange, onRecords: OnRecords): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.topics.includes(range.topic))
      return Promise.reject(
        new Error(`This reader was opened for ${this.topics.join(', ')}, not ${range.topic}`),
      );
    const id = partitionId(range.topic, range.partition);
    if (this.reads.has(id)) return Promise.reject(new Error(`${id} is already being read`));
    const [from, end] = [BigInt(range.from), BigInt(range.end)];
    if (from >= end) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const read = {
        topic: range.topic,
        partition: range.partition,
        next: from,
        end,
        onRecords,
        resolve,
        reject,
      };
      this.reads.set(id, read);
      if (this.joined) this.moveTo(read);
      this.start().catch((error: unknown) => this.fail(asError(error)));
    });
  }

  async close(): Promise<void> {
    if (!this.failure) this.fail(new Error('The changelog reader was closed before the read ended'));
    if (!this.started) return;
    await Promise.allSettled([this.started]);
    await this.consumer.disconnect();
    await this.deleteGroup();
  }

  private start(): Promise<void> {
    this.started ??= (async () => {
      const { GROUP_JOIN, CRASH } = this.consumer.events;
      this.consumer.on(GROUP_JOIN, ({ payload }) => this.onJoin(payload.memberAssignment));
      // A retriable crash (e.g. the group coordinator still loading on a fresh broker) is followed
      // by KafkaJS's own restart and rejoin, after which the reads go on: only a final one fails them.
      this.consumer.on(CRASH, ({ payload }) => {
        const unreachable = brokerFailureReason(payload.error);
        if (unreachable) this.context.reachability.failed(unreachable);
        if (!payload.restart) this.fail(payload.error);
      });
      await this.consumer.connect();
      await this.consumer.subscribe({ topics: [...this.topics], fromBeginning: true });
      await this.consumer.run({ autoCommit: false, eachBatch: (payload) => this.onBatch(payload) });
    })();
    return this.started;
  }

  /** Also after a rejoin: KafkaJS then fetches from the group's (absent) offsets, so seek again. */
  private onJoin(assignment: Record<string, number[]>): void {
    this.joined = true;
    for (const [topic, partitions] of Object.entries(assignment)) {
      const idle = partitions.filter((partition) => !this.reads.has(partitionId(topic, partition)));
      if (idle.length > 0) this.consumer.pause([{ topic, partitions: idle }]);
    }
    for (const read of this.reads.values()) this.moveTo(read);
  }

  private moveTo(read: ActiveRead): void {
    this.consumer.seek({ topic: read.topic, partition: read.partition, offset: read.next.toString() });
    this.consumer.resume([{ topic: read.topic, partitions: [read.partition] }]);
  }

  private async onBatch({ batch, heartbeat }: EachBatchPayload): Promise<void> {
    const read = this.reads.get(partitionId(batch.topic, batch.partition));
    if (!read) return;
    try {
      const records = recordsWithin(batch, read.next, read.end);
      if (records.length > 0) await read.onRecords(records);
    } catch (error) {
      this.finish(read, asError(error));
      return;
    }
    // lastOffset() also covers gaps left by compaction and control records.
    const next = BigInt(batch.lastOffset()) + 1n;
    if (next > read.next) read.next = next;
    if (read.next >= read.end) this.finish(read);
    await heartbeat();
  }

  private finish(read: ActiveRead, error?: Error): void {
    const id = partitionId(read.topic, read.partition);
    if (this.reads.get(id) !== read) return;
    this.reads.delete(id);
    // Paused again: an ended read's partition is not fetched (nor long-polled at its end).
    if (this.joined && !this.failure)
      this.consumer.pause([{ topic: read.topic, partitions: [read.partition] }]);
    if (error) read.reject(error);
    else read.resolve();
  }

  /** The reader is done for: every read rejects, and so do later ones. */
  private fail(error: Error): void {
    this.failure ??= error;
    const reads = [...this.reads.values()];
    this.reads.clear();
    for (const read of reads) read.reject(error);
  }

  private async deleteGroup(): Promise<void> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([this.groupId]);
    } catch (error) {
      // Only clutter: an empty group expires with the broker's offsets retention.
      this.kafka.logger().warn(`Could not delete the reader group ${this.groupId}`, { error: String(error) });
    } finally {
      await admin.disconnect();
    }
  }
}

/**
 * The batch's records in [next, end), as KafkaRecords. KafkaJS already drops records below the
 * fetch offset and offsets only grow, so only the edges are compared (BigInt per record is costly).
 */
function recordsWithin(batch: Batch, next: bigint, end: bigint): KafkaRecord[] {
  const messages = batch.messages;
  let first = 0;
  let last = messages.length;
  while (first < last && BigInt(messages[first].offset) < next) first++;
  while (last > first && BigInt(messages[last - 1].offset) >= end) last--;
  const records = new Array<KafkaRecord>(last - first);
  for (let index = first; index < last; index++) {
    records[index - first] = toKafkaRecord(batch, messages[index]);
  }
  return records;
}

function partitionId(topic: string, partition: number): string {
  return `${topic}[${partition}]`;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
