import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  BatchControl,
  KafkaRecord,
  RecordBatch,
  StreamConsumer,
  TopicPartition,
} from '../kafka/kafka-client.interface.js';
import { StaleAssignmentError } from '../errors/stale-assignment.error.js';
import type { OffsetLedger } from '../store/offset-ledger.interface.js';
import { currentUnitOfWork, UnitOfWork } from '../store/unit-of-work.js';
import { backoffDelay } from './backoff.js';
import type { DeadLetterWriter } from './dead-letter.js';
import type { HandlerBinding } from './handler-binding.js';
import { invokeHandler } from './handler-invoker.js';
import type { ProcessingObserver, RecordResult } from './processing-observer.js';
import type { OutputRelay } from './output-relay.js';
import type { Changelogs } from '../changelog/changelogs.js';
import type { PublishOptions } from '../publisher/publish-options.interface.js';
import type { OutputRecord } from '../store/unit-of-work.js';

export interface BatchProcessorDeps {
  deadLetters: DeadLetterWriter;
  /** Produces handler outputs (directly, or from the outbox after the commit). */
  outputs: OutputRelay;
  /** Validates and encodes an output message (sink return values, `ctx.publish`). */
  encodeOutput: (topic: string, message: object, options: PublishOptions) => OutputRecord;
  /** Present when the application has state stores: offsets then live in SQL beside the state. */
  ledger?: OffsetLedger;
  /** Changelog topics of the stores: written before each commit, restored from on assignment. */
  changelogs?: Changelogs;
  observer: ProcessingObserver;
  heartbeatIntervalMs: number;
}

type Outcome = { result: RecordResult; output?: unknown } | { result: 'halted'; error: unknown };

const key = ({ topic, partition }: TopicPartition) => `${topic}:${partition}`;
const nextOffset = (offset: string) => (BigInt(offset) + 1n).toString();

/**
 * Runs one handler over the batches of its partitions: in order within a partition, each record
 * handled or dead-lettered before its offset counts as done, then the batch's state and offsets
 * committed together.
 */
export class BatchProcessor {
  private readonly logger: Logger;
  private readonly positions = new Map<string, Promise<string | undefined>>();
  private readonly haltedPartitions = new Map<string, string>();
  /** When the current assignment began: changelog records carry it to fence a zombie's late writes. */
  private epoch = Date.now();

  constructor(
    private readonly binding: HandlerBinding,
    private readonly consumer: () => StreamConsumer,
    private readonly deps: BatchProcessorDeps,
  ) {
    this.logger = new Logger(`StreamHandler ${binding.id}`);
  }

  /** Partitions stopped because a record could not be handled nor dead-lettered, with the reason. */
  get halted(): ReadonlyMap<string, string> {
    return this.haltedPartitions;
  }

  /** After a rebalance: forget cached positions, and seek to the offsets stored in SQL. */
  async onAssignment(assigned: TopicPartition[]): Promise<void> {
    this.positions.clear();
    this.epoch = Date.now();
    this.deps.changelogs?.reassigned();
    this.deps.observer.rebalance(this.binding.id, this.binding.group);
    if (!this.deps.ledger) return;
    // All partitions restore at once: their changelog reads share fetches of one reader.
    const positions = await Promise.all(assigned.map((partition) => this.position(partition)));
    assigned.forEach((partition, index) => {
      const position = positions[index];
      if (position !== undefined) this.consumer().seek({ ...partition, offset: position });
    });
  }

  /** Resolves with the offset of the last record done (handled or dead-lettered). */
  async process(batch: RecordBatch, control: BatchControl): Promise<string | undefined> {
    if (this.haltedPartitions.has(key(batch))) return undefined;
    const start = await this.position(batch);
    // KafkaJS may fetch before a seek lands: records below the stored offset were already applied.
    const records =
      start === undefined ? batch.records : batch.records.filter((r) => BigInt(r.offset) >= BigInt(start));
    if (records.length === 0) return batch.records.at(-1)?.offset;
    this.deps.observer.batch(this.binding.id, records.length);
    const work = new UnitOfWork(batch.partition, records);
    // Keeps the group session alive through long handlers (one timer per batch, not per record).
    const heartbeats = setInterval(
      () => void control.heartbeat().catch(() => undefined),
      this.deps.heartbeatIntervalMs,
    );
    let done: KafkaRecord | undefined;
    try {
      const handle = () =>
        this.binding.options.batch
          ? this.handleAsBatch(records, control, work)
          : this.handleOneByOne(records, control, work);
      // Stores find the batch's unit of work through async context, entered once per batch. It
      // costs on every promise once enabled: only applications with stores pay for it.
      done = await (this.deps.ledger ? currentUnitOfWork.run(work, handle) : handle());
    } finally {
      clearInterval(heartbeats);
    }
    if (!done) return undefined;
    return (await this.commit(batch, start, nextOffset(done.offset), work, control))
      ? done.offset
      : undefined;
  }

  private async handleOneByOne(records: KafkaRecord[], control: BatchControl, work: UnitOfWork) {
    let last: KafkaRecord | undefined;
    for (const record of records) {
      if (!control.isActive()) break;
      const outcome = await this.handleRecord([record], control, work);
      if (outcome.result === 'halted') {
        this.halt(record, outcome.error);
        break;
      }
      last = record;
      // Most records skip the check entirely: awaiting it for each would cost a promise per record.
      const check = rebalanceCheckDue(control);
      if (check && (await check)) break;
    }
    return last;
  }

  private async handleAsBatch(records: KafkaRecord[], control: BatchControl, work: UnitOfWork) {
    const outcome = await this.handleRecord(records, control, work);
    if (outcome.result !== 'halted') return records[records.length - 1];
    this.halt(records[0], outcome.error);
    return undefined;
  }

  /**
   * Decodes, then runs the handler with retries; poison records go straight to the dead letters.
   * Not `async`: a record that decodes runs with no promise of its own here, on the hot path.
   */
  private handleRecord(records: KafkaRecord[], control: BatchControl, work: UnitOfWork): Promise<Outcome> {
    const payloads: unknown[] = [];
    const valid: KafkaRecord[] = [];
    let poison: Array<{ record: KafkaRecord; error: unknown }> | undefined;
    let schema: string | undefined;
    for (const record of records) {
      try {
        const decoded = this.binding.decoder.decode(record);
        if (decoded.kind === 'other-schema') {
          this.deps.observer.record(this.binding.id, record.topic, 'skipped', 0);
          continue;
        }
        payloads.push(decoded.payload);
        valid.push(record);
        schema = decoded.schema;
      } catch (error) {
        (poison ??= []).push({ record, error });
      }
    }
    const run = (): Promise<Outcome> => {
      if (valid.length === 0) return Promise.resolve({ result: 'skipped' });
      const payload = this.binding.options.batch ? payloads : payloads[0];
      return this.runWithRetries(valid, payload, schema, control, work);
    };
    return poison ? this.deadLetterPoison(poison).then((letter) => letter ?? run()) : run();
  }

  /** Dead-letters records that could not be decoded, in order; the outcome if one halted the partition. */
  private async deadLetterPoison(
    poison: Array<{ record: KafkaRecord; error: unknown }>,
  ): Promise<Outcome | undefined> {
    for (const { record, error } of poison) {
      const letter = await this.deadLetter([record], error, 0);
      if (letter.result === 'halted') return letter;
    }
    return undefined;
  }

  private async runWithRetries(
    records: KafkaRecord[],
    payload: unknown,
    schema: string | undefined,
    control: BatchControl,
    work: UnitOfWork,
  ): Promise<Outcome> {
    const { retry } = this.binding;
    const record = records[records.length - 1];
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        const output = await invokeHandler(this.binding.handler, {
          handlerId: this.binding.id,
          group: this.binding.group,
          record,
          payload,
          schema,
          attempt,
          control,
          timeoutMs: this.binding.options.timeout,
          publish: (topic, message, options) =>
            work.emit(this.deps.encodeOutput(topic, message, options ?? {})),
        });
        this.emitToSinks(output, record, work);
        work.keepRecord();
        this.deps.observer.record(
          this.binding.id,
          record.topic,
          'ok',
          performance.now() - started,
          records.length,
        );
        return { result: 'ok', output };
      } catch (error) {
        work.discardRecord();
        const retriable = !(error instanceof Error && 'retriable' in error && error.retriable === false);
        if (attempt >= retry.attempts || !retriable || !control.isActive()) {
          if (!control.isActive() && attempt < retry.attempts) return { result: 'halted', error };
          return this.deadLetter(records, error, attempt);
        }
        this.deps.observer.record(
          this.binding.id,
          record.topic,
          'retried',
          performance.now() - started,
          records.length,
        );
        this.logger.warn(
          `Attempt ${attempt} failed at ${record.topic}[${record.partition}]@${record.offset}: ${message(error)}`,
        );
        await sleep(backoffDelay(retry, attempt));
        await control.heartbeat().catch(() => undefined);
      }
    }
  }

  /** The handler's return value goes to its `sink` topics, keyed like the input record. */
  private emitToSinks(output: unknown, record: KafkaRecord, work: UnitOfWork): void {
    const { sink } = this.binding.options;
    if (!sink || output === undefined || output === null) return;
    const key = record.key ?? undefined;
    for (const message of [output].flat()) {
      if (message === undefined || message === null) continue;
      for (const topic of [sink].flat()) work.emit(this.deps.encodeOutput(topic, message as object, { key }));
    }
  }

  private async deadLetter(records: KafkaRecord[], error: unknown, attempts: number): Promise<Outcome> {
    const { deadLetter } = this.binding.options;
    if (deadLetter === false) return { result: 'halted', error };
    const handler = this.binding.id;
    await this.deps.deadLetters.send(
      records.map((record) => ({ record, error, attempts, handler })),
      deadLetter,
    );
    for (const record of records) {
      this.logger.error(
        `Dead-lettered ${record.topic}[${record.partition}]@${record.offset} after ${attempts} attempt(s): ${message(error)}`,
      );
      this.deps.observer.record(handler, record.topic, 'dead-lettered', 0);
    }
    return { result: 'dead-lettered' };
  }

  private halt(record: KafkaRecord, error: unknown): void {
    const partition = { topic: record.topic, partition: record.partition };
    const reason = `stopped at offset ${record.offset}: ${message(error)}`;
    this.haltedPartitions.set(key(partition), reason);
    this.consumer().pause([partition]);
    this.logger.error(`Partition ${key(partition)} ${reason} (dead-lettering is off for this handler)`);
  }

  /** Resolves false when the batch was rolled back because another instance owns the partition. */
  private async commit(
    partition: TopicPartition,
    from: string | undefined,
    to: string,
    work: UnitOfWork,
    control: BatchControl,
  ): Promise<boolean> {
    const { ledger } = this.deps;
    const started = performance.now();
    let outbox: Awaited<ReturnType<OffsetLedger['commit']>> = [];
    if (ledger) {
      try {
        // The changelog first: a crash after it replays the batch, which writes the same state again.
        const checkpoints =
          (await this.deps.changelogs?.write(work, this.binding.group, partition, to, this.epoch)) ?? [];
        outbox = await ledger.commit(this.binding.group, partition, from, to, work, checkpoints);
      } catch (error) {
        this.positions.delete(key(partition));
        if (!(error instanceof StaleAssignmentError)) throw error;
        this.logger.warn(error.message);
        const position = await this.position(partition);
        if (position !== undefined) this.consumer().seek({ ...partition, offset: position });
        return false;
      }
      this.positions.set(key(partition), Promise.resolve(to));
      this.deps.observer.flush(this.binding.id, performance.now() - started);
      await this.deps.outputs.relay(ledger, outbox);
    } else {
      // Stateless: outputs go out before the offset commit, so a crash repeats them rather than loses them.
      await this.deps.outputs.send(work.outputs());
    }
    const committing = performance.now();
    await control
      .commit(to)
      .catch((error: unknown) =>
        this.logger.warn(`Kafka offset commit failed (it is retried with the next batch): ${message(error)}`),
      );
    this.deps.observer.commit(this.binding.id, performance.now() - committing);
    return true;
  }

  private position(partition: TopicPartition): Promise<string | undefined> {
    const { ledger } = this.deps;
    if (!ledger) return Promise.resolve(undefined);
    let position = this.positions.get(key(partition));
    if (!position) {
      // Local state catches up with the changelogs before the partition's offset is read.
      const restored = this.deps.changelogs?.restore(partition.partition) ?? Promise.resolve();
      position = restored.then(() => ledger.position(this.binding.group, partition));
      // A failed restore or read is tried again with the next batch, not cached.
      const cached = position;
      cached.catch(() => {
        if (this.positions.get(key(partition)) === cached) this.positions.delete(key(partition));
      });
      this.positions.set(key(partition), position);
    }
    return position;
  }
}

/**
 * A heartbeat (at most every 200 ms of a batch) fails while the group rebalances:
 * the batch then stops after the current record and commits what it did, so the rebalance is
 * not held up by the rest of a long batch.
 */
const lastRebalanceCheck = new WeakMap<BatchControl, number>();
const REBALANCE_CHECK_MS = 200;

/** A pending heartbeat that resolves true when the group rebalances, or undefined when not yet due. */
function rebalanceCheckDue(control: BatchControl): Promise<boolean> | undefined {
  const now = Date.now();
  if (now - (lastRebalanceCheck.get(control) ?? 0) < REBALANCE_CHECK_MS) return undefined;
  lastRebalanceCheck.set(control, now);
  return control.heartbeat().then(
    () => false,
    () => true,
  );
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
