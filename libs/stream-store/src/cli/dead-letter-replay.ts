import { createHash } from 'node:crypto';
import type {
  KafkaRecord,
  ProduceRequest,
  StreamAdmin,
  StreamProducer,
  StreamReader,
  TopicPartitionOffset,
} from '../kafka/kafka-client.interface.js';
import { KeyPartitioner } from '../publisher/key-partitioner.js';
import { CliFailureError } from './cli-failure.error.js';
import {
  matchesFilters,
  originalHeaders,
  viewDeadLetter,
  type DeadLetterFilter,
  type DeadLetterView,
} from './dead-letter-selection.js';
import type { ProgressStep } from './progress-reporter.js';

export interface ReplayRequest {
  /** The dead-letter topic, as Kafka names it (with any prefix). */
  dlqTopic: string;
  /** Send every letter here instead of the topic it failed on. */
  to?: string;
  filters: readonly DeadLetterFilter[];
  /** Count what would be sent; send and commit nothing. */
  dryRun: boolean;
  /** The group whose committed offsets mark what was replayed; default `replayGroupOf(...)`. */
  group?: string;
  onProgress?: (progress: ProgressStep) => void;
}

export interface ReplaySummary {
  dlqTopic: string;
  group: string;
  dryRun: boolean;
  /** Letters read in this run (after the group's committed offsets). */
  read: number;
  /** Letters passed over because an earlier run of the group replayed them (or went past them). */
  earlier: number;
  /** Letters sent (with `dryRun`: that would be sent), by destination topic. */
  replayed: Record<string, number>;
  /** Letters not sent: not matching `--filter`, or without `samsa.dlq.topic` and no `--to`. */
  skipped: { filtered: number; noTopic: number };
}

/**
 * The group that remembers, per dead-letter partition, how far replays of this selection got: one
 * per DLQ topic, and one per distinct `--to`/`--filter` selection, so that a filtered run leaves the
 * other letters for a run that selects them.
 */
export function replayGroupOf(
  dlqTopic: string,
  to: string | undefined,
  filters: readonly DeadLetterFilter[],
): string {
  const base = `samsa-dlq-replay.${dlqTopic}`;
  if (to === undefined && filters.length === 0) return base;
  const selection = JSON.stringify({
    to,
    filters: [...filters].sort((a, b) => (a.field < b.field ? -1 : 1)),
  });
  return `${base}.${createHash('sha256').update(selection).digest('hex').slice(0, 8)}`;
}

/**
 * Sends dead letters again: key, value and the record's own headers (not the `samsa.dlq.*` ones) to
 * the topic they failed on - the same partition when it still exists - or to `to` (partitioned by
 * key, as samsa's publisher does). Each partition is read in offset order from the replay group's
 * committed offset to the end it had when the run began; after each sent batch the group commits
 * the next offset, so a run replays every letter once, and a run after it replays nothing new.
 */
export class DeadLetterReplay {
  private readonly partitioner = new KeyPartitioner();
  private readonly partitionCounts = new Map<string, Promise<number>>();

  constructor(
    private readonly admin: StreamAdmin,
    private readonly reader: StreamReader,
    private readonly producer: StreamProducer,
  ) {}

  async run(request: ReplayRequest): Promise<ReplaySummary> {
    const { dlqTopic, to, filters, dryRun } = request;
    const group = request.group ?? replayGroupOf(dlqTopic, to, filters);
    if (!dryRun && !this.admin.commitGroupOffsets) {
      throw new CliFailureError(
        'This Kafka client cannot commit offsets for a group: replays could not be remembered.',
      );
    }
    await this.existing(
      dlqTopic,
      `The dead-letter topic ${dlqTopic} does not exist: check the name (with its prefix).`,
    );
    const bounds = await this.admin.fetchTopicOffsets(dlqTopic);
    const committed = new Map(
      (await this.admin.fetchGroupOffsets(group, [dlqTopic])).map(({ partition, offset }) => [
        partition,
        BigInt(offset),
      ]),
    );
    const from = new Map<number, string>();
    const summary: ReplaySummary = {
      dlqTopic,
      group,
      dryRun,
      read: 0,
      earlier: 0,
      replayed: {},
      skipped: { filtered: 0, noTopic: 0 },
    };
    let total = 0;
    for (const { partition, low, high } of bounds) {
      const start = maxOf(BigInt(low), committed.get(partition) ?? -1n);
      from.set(partition, start.toString());
      summary.earlier += Number(start - BigInt(low));
      total += Math.max(0, Number(BigInt(high) - start));
    }
    request.onProgress?.({ step: 'dead letters', done: 0, total });
    await this.reader.readToEnd(dlqTopic, { from }, async (records) => {
      const batch = await this.prepare(records, to, filters, summary);
      if (!dryRun && records.length > 0) {
        if (batch.length > 0) await this.producer.send(batch);
        await this.admin.commitGroupOffsets?.(group, nextOffsets(records));
      }
      summary.read += records.length;
      request.onProgress?.({ step: 'dead letters', done: summary.read, total });
    });
    return summary;
  }

  /** The letters of `records` to send, by destination; counts them and the skipped ones. */
  private async prepare(
    records: KafkaRecord[],
    to: string | undefined,
    filters: readonly DeadLetterFilter[],
    summary: ReplaySummary,
  ): Promise<ProduceRequest[]> {
    const byTopic = new Map<string, ProduceRequest>();
    for (const record of records) {
      const letter = viewDeadLetter(record);
      if (!matchesFilters(letter, filters)) {
        summary.skipped.filtered++;
        continue;
      }
      const topic = to ?? letter.originalTopic;
      if (topic === undefined) {
        summary.skipped.noTopic++;
        continue;
      }
      const partition = await this.partitionFor(topic, letter, to === undefined);
      let produce = byTopic.get(topic);
      if (!produce) byTopic.set(topic, (produce = { topic, messages: [] }));
      produce.messages.push({
        key: record.key,
        value: record.value,
        headers: originalHeaders(record.headers),
        ...(partition !== undefined && { partition }),
      });
      summary.replayed[topic] = (summary.replayed[topic] ?? 0) + 1;
    }
    return [...byTopic.values()];
  }

  /** The partition it failed on when going back there (if it still exists), else the key's. */
  private async partitionFor(
    topic: string,
    letter: DeadLetterView,
    backHome: boolean,
  ): Promise<number | undefined> {
    const count = await this.partitionCount(topic);
    if (backHome && letter.originalPartition !== undefined && letter.originalPartition < count) {
      return letter.originalPartition;
    }
    const { key } = letter.record;
    return key === null ? undefined : this.partitioner.partition(key, count);
  }

  private partitionCount(topic: string): Promise<number> {
    let count = this.partitionCounts.get(topic);
    if (!count) {
      count = this.existing(
        topic,
        `Dead letters go to ${topic}, which does not exist: create it, or send them elsewhere with --to <topic>.`,
      )
        .then(() => this.admin.describeTopics([topic]))
        .then((described) => Math.max(1, described.get(topic)?.length ?? 1));
      this.partitionCounts.set(topic, count);
    }
    return count;
  }

  private async existing(topic: string, message: string): Promise<void> {
    if (!(await this.admin.listTopics()).includes(topic)) throw new CliFailureError(message);
  }
}

/** Per partition of `records`, the offset after the last one: what the group reads next. */
function nextOffsets(records: readonly KafkaRecord[]): TopicPartitionOffset[] {
  const next = new Map<string, TopicPartitionOffset>();
  for (const { topic, partition, offset } of records) {
    const after = (BigInt(offset) + 1n).toString();
    const known = next.get(`${partition}:${topic}`);
    if (!known || BigInt(known.offset) < BigInt(after))
      next.set(`${partition}:${topic}`, { topic, partition, offset: after });
  }
  return [...next.values()];
}

function maxOf(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
