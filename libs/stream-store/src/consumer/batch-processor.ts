import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Changelogs } from '../changelog/changelogs.js';
import { DEFAULTS } from '../defaults.js';
import { classifyFailure } from '../errors/failure-kind.js';
import { HandlerTimeoutError } from '../errors/handler-timeout.error.js';
import { OutputRefusedError } from '../errors/output-refused.error.js';
import { StaleAssignmentError } from '../errors/stale-assignment.error.js';
import type {
  BatchControl,
  KafkaRecord,
  PartitionOffsets,
  RecordBatch,
  StreamConsumer,
  TopicPartition,
  TopicPartitionOffset,
} from '../kafka/kafka-client.interface.js';
import type { PublishOptions } from '../publisher/publish-options.interface.js';
import type { OffsetLedger } from '../store/offset-ledger.interface.js';
import { currentUnitOfWork, type OutputRecord, UnitOfWork } from '../store/unit-of-work.js';
import { traceFlush } from '../telemetry/flush-tracing.js';
import { backoffDelay } from './backoff.js';
import { BatchItemFailures } from './batch-item-failures.js';
import type { DeadLetterWriter } from './dead-letter.js';
import type { HandlerBinding } from './handler-binding.js';
import { HandlerFailedError, invokeHandler } from './handler-invoker.js';
import {
  INTERRUPTED,
  pause,
  sleepWhileActive,
  untilAvailable,
  type WaitHooks,
} from './infrastructure-wait.js';
import { type BatchRun, interrupted, nextOffset, type OutputSpan, type Outcome } from './batch-run.js';
import type { OutputRelay } from './output-relay.js';
import { rebalanceCheckDue } from './rebalance-check.js';
import { partitionKey, PartitionStatus, type Unmoved } from './partition-status.js';
import type { ProcessingObserver } from './processing-observer.js';
import { type OffsetResetPolicy, OutOfRange, StoredPositions } from './stored-positions.js';
import { TaskQueue } from './task-queue.js';

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
  /** Low and high watermarks of a topic's partitions: stored offsets are checked against them. */
  watermarks: (topic: string) => Promise<PartitionOffsets[]>;
  /** Offsets a consumer group committed in Kafka (-1 where none). */
  committedOffsets: (group: string, topics: string[]) => Promise<TopicPartitionOffset[]>;
  /** Where a stored offset outside the log leads (default `halt`). */
  offsetReset: OffsetResetPolicy;
  observer: ProcessingObserver;
  heartbeatIntervalMs: number;
}

/**
 * Runs one handler over the batches of its partitions: in order within a partition, each record
 * handled or dead-lettered before its offset counts as done, then the batch's state and offsets
 * committed together. An unreachable broker or database pauses the partition until it is back; it
 * never dead-letters or halts a record.
 */
export class BatchProcessor {
  private readonly logger: Logger;
  private readonly status = new PartitionStatus();
  private readonly positions?: StoredPositions;
  /** When the current assignment began: changelog records carry it to fence a zombie's late writes. */
  private epoch = Date.now();
  /** The partitions of the latest assignment; undefined before the first. */
  private assigned?: Set<string>;
  /** Aborted when the consumer stops: handlers see it as `ctx.signal`. */
  private stopping = new AbortController();
  /** With state and concurrent partitions: one batch per partition number at a time. */
  private readonly tasks?: TaskQueue;

  constructor(
    private readonly binding: HandlerBinding,
    private readonly consumer: () => StreamConsumer,
    private readonly deps: BatchProcessorDeps,
  ) {
    this.logger = new Logger(`StreamHandler ${binding.id}`);
    if (deps.ledger && (binding.options.concurrency ?? 1) > 1) this.tasks = new TaskQueue();
    if (deps.ledger) {
      this.positions = new StoredPositions({
        ledger: deps.ledger,
        changelogs: deps.changelogs,
        watermarks: deps.watermarks,
        group: binding.group,
        handler: binding.id,
        policy: binding.options.offsetReset ?? deps.offsetReset,
      });
    }
  }

  /** Partitions stopped until someone acts, with the reason. */
  get halted(): ReadonlyMap<string, string> {
    return this.status.halted;
  }

  /** Partitions waiting for something that will come back by itself, with the reason and since when. */
  get waiting(): PartitionStatus['waiting'] {
    return this.status.waiting;
  }

  /** The consumer is stopping (shutdown, rejoin): running handlers see their `ctx.signal` abort. */
  stop(reason: string): void {
    this.stopping.abort(new Error(reason));
    this.status.unassigned();
  }

  /** The consumer (re)started: handlers get a fresh signal. */
  start(): void {
    if (this.stopping.signal.aborted) this.stopping = new AbortController();
  }

  /** After a rebalance: halts lifted, positions forgotten, and a seek to the offsets stored in SQL. */
  async onAssignment(assigned: TopicPartition[]): Promise<void> {
    this.assigned = new Set(assigned.map(partitionKey));
    const lifted = this.status.reassigned(assigned);
    if (lifted.length > 0) this.consumer().resume(lifted);
    this.positions?.clear();
    this.epoch = Date.now();
    this.deps.changelogs?.reassigned();
    this.deps.observer.rebalance(this.binding.id, this.binding.group);
    const { positions } = this;
    if (!positions) return;
    // All partitions restore at once: their changelog reads share fetches of one reader. A failure
    // here is not final: the first batch of the partition resolves its position again.
    const resolved = await Promise.allSettled(assigned.map((partition) => positions.get(partition)));
    const committed: TopicPartitionOffset[] = [];
    assigned.forEach((partition, index) => {
      const result = resolved[index];
      if (result.status === 'rejected') {
        this.logger.warn(`Position of ${partitionKey(partition)} not read yet: ${message(result.reason)}`);
      } else if (result.value instanceof OutOfRange) {
        this.halt(partition, result.value.reason);
      } else if (result.value.start !== undefined) {
        this.consumer().seek({ ...partition, offset: result.value.start });
        if (result.value.stored !== undefined) committed.push({ ...partition, offset: result.value.stored });
      }
    });
    await this.catchUpKafkaOffsets(committed).catch((error: unknown) =>
      this.logger.warn(`Kafka offsets not caught up with SQL yet: ${message(error)}`),
    );
  }

  /**
   * Kafka's committed offsets catch up with SQL's where they lag: a commit that failed with the
   * group's last batch (a rebalance at the wrong moment) is otherwise never made again, and lag tools
   * would lie. Never moves them back.
   */
  private async catchUpKafkaOffsets(stored: TopicPartitionOffset[]): Promise<void> {
    if (stored.length === 0) return;
    const topics = [...new Set(stored.map(({ topic }) => topic))];
    const inKafka = await this.deps.committedOffsets(this.binding.group, topics);
    const behind = stored.filter(({ topic, partition, offset }) => {
      const kafka = inKafka.find((entry) => entry.topic === topic && entry.partition === partition);
      return !kafka || BigInt(kafka.offset) < BigInt(offset);
    });
    if (behind.length > 0) await this.consumer().commit(behind);
  }

  /** Resolves with the offset of the last record done (handled or dead-lettered). */
  async process(batch: RecordBatch, control: BatchControl): Promise<string | undefined> {
    const done = await (this.tasks
      ? this.tasks.run(batch.partition, () => this.processBatch(batch, control))
      : this.processBatch(batch, control));
    if (done !== undefined) this.status.moved(batch, nextOffset(done));
    return done;
  }

  /**
   * Assigned partitions, neither halted nor waiting, that finished no batch for `afterMs`: how
   * long, per partition (`topic:partition`).
   */
  unmoved(afterMs: number): ReadonlyMap<string, Unmoved> {
    return this.status.unmoved(afterMs);
  }

  private async processBatch(batch: RecordBatch, control: BatchControl): Promise<string | undefined> {
    if (this.status.isHalted(batch)) return undefined;
    const position = await this.position(batch, control);
    if (position === INTERRUPTED) return undefined;
    if (position instanceof OutOfRange) {
      this.halt(batch, position.reason);
      return undefined;
    }
    const { stored, start } = position;
    // KafkaJS may fetch before a seek lands: records below the stored offset were already applied.
    const records =
      start === undefined ? batch.records : batch.records.filter((r) => BigInt(r.offset) >= BigInt(start));
    if (records.length === 0) return batch.records.at(-1)?.offset;
    this.deps.observer.batch(this.binding.id, records.length);
    const run: BatchRun = {
      epoch: this.epoch,
      records,
      control,
      work: new UnitOfWork(batch.partition, records, { group: this.binding.group, topic: batch.topic }),
      spans: [],
    };
    // Keeps the group session alive through long handlers (one timer per batch, not per record).
    const heartbeats = setInterval(
      () => void control.heartbeat().catch(() => undefined),
      this.deps.heartbeatIntervalMs,
    );
    let done: KafkaRecord | undefined;
    try {
      const handle = () =>
        this.binding.options.batch ? this.handleAsBatch(records, run) : this.handleOneByOne(records, run);
      // Stores find the batch's unit of work through async context, entered once per batch. It
      // costs on every promise once enabled: only applications with stores pay for it.
      done = await (this.deps.ledger ? currentUnitOfWork.run(run.work, handle) : handle());
      if (!done) return undefined;
      return await this.commit(batch, stored, done, run);
    } finally {
      clearInterval(heartbeats);
    }
  }

  private async handleOneByOne(records: KafkaRecord[], run: BatchRun) {
    let last: KafkaRecord | undefined;
    for (const record of records) {
      if (!run.control.isActive()) break;
      const outcome = await this.handleRecords([record], run);
      if (outcome.result === 'interrupted') break;
      if (outcome.result === 'halted') {
        this.halt(record, outcome.reason);
        break;
      }
      last = record;
      // Most records skip the check entirely: awaiting it for each would cost a promise per record.
      const check = rebalanceCheckDue(run.control);
      if (check && (await check)) break;
    }
    return last;
  }

  private async handleAsBatch(records: KafkaRecord[], run: BatchRun) {
    const outcome = await this.handleRecords(records, run);
    if (outcome.result === 'interrupted') return undefined;
    if (outcome.result !== 'halted') return records[records.length - 1];
    this.halt(records[0], outcome.reason);
    return undefined;
  }

  /**
   * Decodes, then runs the handler with retries; poison records go straight to the dead letters.
   * Not `async`: a record that decodes runs with no promise of its own here, on the hot path.
   */
  private handleRecords(records: KafkaRecord[], run: BatchRun): Promise<Outcome> {
    const payloads: unknown[] = [];
    const valid: KafkaRecord[] = [];
    let poison: Array<{ record: KafkaRecord; error: unknown }> | undefined;
    let schema: string | undefined;
    for (const record of records) {
      try {
        const decoded = this.binding.decoder.decode(record);
        if (decoded.kind !== 'payload') {
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
    const handle = (): Promise<Outcome> => {
      if (valid.length === 0) return Promise.resolve({ result: 'skipped' });
      return this.binding.options.batch
        ? this.runBatchWithRetries(valid, payloads, schema, run)
        : this.runWithRetries(valid, payloads[0], schema, run);
    };
    return poison ? this.deadLetterPoison(poison, run).then((letter) => letter ?? handle()) : handle();
  }

  /** Dead-letters records that could not be decoded, in order; the outcome if one stopped the batch. */
  private async deadLetterPoison(
    poison: Array<{ record: KafkaRecord; error: unknown }>,
    run: BatchRun,
  ): Promise<Outcome | undefined> {
    for (const { record, error } of poison) {
      const letter = await this.deadLetter([record], error, 0, run.control);
      if (letter.result === 'halted' || letter.result === 'interrupted') return letter;
    }
    return undefined;
  }

  /**
   * Runs the handler until it succeeds or its attempts are spent, then dead-letters. Waiting for an
   * unreachable broker or database costs no attempt; a stop of the consumer between attempts
   * interrupts (the record is handled again after the rebalance), it never halts.
   */
  private async runWithRetries(
    records: KafkaRecord[],
    payload: unknown,
    schema: string | undefined,
    run: BatchRun,
  ): Promise<Outcome> {
    const { retry } = this.binding;
    const record = records[records.length - 1];
    const waits = this.waitHooks(record, 'a dependency of the handler');
    for (let attempt = 1, outages = 0; ;) {
      const started = performance.now();
      try {
        const output = await this.invoke(records, payload, schema, attempt, run);
        this.keep(records, run);
        if (outages > 0) waits.recovered();
        this.deps.observer.record(
          this.binding.id,
          record.topic,
          'ok',
          performance.now() - started,
          records.length,
        );
        return { result: 'ok', output };
      } catch (error) {
        run.work.discardRecord();
        if (error instanceof HandlerTimeoutError && error.stillRunning) {
          if (!(await this.outwait(record, error, run.control))) return interrupted;
        }
        if (!run.control.isActive()) return interrupted;
        if (classifyFailure(error) === 'infrastructure') {
          waits.waiting(error, ++outages);
          if (!(await pause(run.control, outages, this.stopping.signal))) return interrupted;
          continue;
        }
        const retriable = !(error instanceof Error && 'retriable' in error && error.retriable === false);
        if (attempt >= retry.attempts || !retriable)
          return this.deadLetter(records, error, attempt, run.control);
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
        if (!(await sleepWhileActive(backoffDelay(retry, attempt), run.control, this.stopping.signal)))
          return interrupted;
        attempt++;
      }
    }
  }

  /**
   * A batch handler: a `BatchItemFailures` (thrown or returned) keeps the other items' work and
   * retries only the failed items; once their attempts are spent, only they are dead-lettered.
   */
  private async runBatchWithRetries(
    records: KafkaRecord[],
    payloads: unknown[],
    schema: string | undefined,
    run: BatchRun,
  ): Promise<Outcome> {
    let pending = { records, payloads };
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.runWithRetries(pending.records, pending.payloads, schema, run);
      if (outcome.result !== 'ok' || !(outcome.output instanceof BatchItemFailures)) return outcome;
      const failures = outcome.output.failures.filter(
        ({ index }) => index >= 0 && index < pending.records.length,
      );
      if (failures.length === 0) return { result: 'ok' };
      const failed = failures.map(({ index }) => pending.records[index]);
      if (attempt >= this.binding.retry.attempts) {
        for (const { index, error } of failures) {
          const letter = await this.deadLetter(
            [pending.records[index]],
            error ??
              new HandlerFailedError(
                `the batch handler reported item at offset ${pending.records[index].offset} failed`,
              ),
            attempt,
            run.control,
          );
          if (letter.result === 'halted' || letter.result === 'interrupted') return letter;
        }
        return { result: 'ok' };
      }
      this.logger.warn(
        `Attempt ${attempt}: ${failed.length} of ${pending.records.length} item(s) failed at ` +
          `${failed[0].topic}[${failed[0].partition}], from offset ${failed[0].offset}; retrying those`,
      );
      pending = { records: failed, payloads: failures.map(({ index }) => pending.payloads[index]) };
      if (
        !(await sleepWhileActive(
          backoffDelay(this.binding.retry, attempt),
          run.control,
          this.stopping.signal,
        ))
      )
        return interrupted;
    }
  }

  private invoke(
    records: KafkaRecord[],
    payload: unknown,
    schema: string | undefined,
    attempt: number,
    run: BatchRun,
  ) {
    const record = records[records.length - 1];
    return invokeHandler(this.binding.handler, {
      handlerId: this.binding.id,
      group: this.binding.group,
      record,
      records: this.binding.options.batch ? records : undefined,
      payload,
      schema,
      attempt,
      control: run.control,
      timeoutMs: this.binding.options.timeout,
      timeoutGraceMs: DEFAULTS.timeoutGraceMs,
      stopping: this.stopping.signal,
      publish: (topic, message, options) =>
        run.work.emit(this.deps.encodeOutput(topic, message, options ?? {})),
      // Inside the handler's span: sink outputs carry its trace context.
      emitOutputs: (output) => this.emitToSinks(output, record, run.work),
    }).then(
      (output) => {
        // A batch handler may return its item failures instead of throwing them.
        if (output instanceof BatchItemFailures && !this.binding.options.batch) throw output;
        return output;
      },
      (error: unknown) => {
        if (error instanceof BatchItemFailures && this.binding.options.batch) return error;
        throw error;
      },
    );
  }

  /** The records' writes and outputs join the batch; their outputs' end is noted for stateless sends. */
  private keep(records: KafkaRecord[], run: BatchRun): void {
    run.work.keepRecord();
    if (!this.deps.ledger) run.spans.push({ records, end: run.work.outputs().length });
  }

  /**
   * A timed-out run that did not stop within the grace: nothing else of the partition runs beside it.
   * The partition shows as waiting until it settles; false when the consumer stopped meanwhile.
   */
  private async outwait(
    record: KafkaRecord,
    error: HandlerTimeoutError,
    control: BatchControl,
  ): Promise<boolean> {
    const reason = `a timed-out run at offset ${record.offset} has not stopped yet (it ignores ctx.signal)`;
    this.status.wait(record, reason);
    this.logger.warn(`${partitionKey(record)}: ${reason}; waiting for it before the partition goes on`);
    for (let settled = false; !settled;) {
      settled = await Promise.race([
        error.stillRunning?.then(() => true) ?? true,
        sleep(this.deps.heartbeatIntervalMs).then(() => false),
      ]);
      await control.heartbeat().catch(() => undefined);
      if (!settled && !control.isActive()) return false;
    }
    this.status.recovered(record);
    return true;
  }

  /** `untilAvailable`, given up at once when the consumer stops. */
  private async whenAvailable<T>(
    work: () => Promise<T>,
    control: BatchControl,
    hooks: WaitHooks & { partition: TopicPartition },
  ) {
    const result = await untilAvailable(work, control, hooks, this.stopping.signal);
    // An interrupted wait is over too: the partition's next owner (maybe this one) starts afresh.
    if (result === INTERRUPTED) this.status.recovered(hooks.partition);
    return result;
  }

  private waitHooks(partition: TopicPartition, what: string): WaitHooks & { partition: TopicPartition } {
    return {
      partition,
      waiting: (error) => {
        if (this.status.wait(partition, `waiting for ${what}: ${message(error)}`)) {
          this.logger.warn(`${partitionKey(partition)} paused, waiting for ${what}: ${message(error)}`);
        }
      },
      recovered: () => {
        const ms = this.status.recovered(partition);
        if (ms !== undefined)
          this.logger.log(`${partitionKey(partition)} resumed after ${Math.round(ms)} ms`);
      },
    };
  }

  /** The handler's return value goes to its `sink` topics, keyed like the input record. */
  private emitToSinks(output: unknown, record: KafkaRecord, work: UnitOfWork): void {
    const { sink } = this.binding.options;
    if (!sink || output === undefined || output === null || output instanceof BatchItemFailures) return;
    const key = record.key ?? undefined;
    for (const message of [output].flat()) {
      if (message === undefined || message === null) continue;
      for (const topic of [sink].flat()) work.emit(this.deps.encodeOutput(topic, message as object, { key }));
    }
  }

  /**
   * Writes dead letters, waiting out an unreachable broker; a dead letter Kafka refuses for good, or
   * dead-lettering turned off, halts the partition (never a loop of re-handling).
   */
  private async deadLetter(
    records: KafkaRecord[],
    error: unknown,
    attempts: number,
    control: BatchControl,
  ): Promise<Outcome> {
    const first = records[0];
    const { deadLetter } = this.binding.options;
    if (deadLetter === false) {
      return {
        result: 'halted',
        reason: `stopped at offset ${first.offset} (dead-lettering is off for this handler): ${message(error)}`,
      };
    }
    const handler = this.binding.id;
    const letters = records.map((record) => ({ record, error, attempts, handler }));
    try {
      const sent = await this.whenAvailable(
        () => this.deps.deadLetters.send(letters, deadLetter),
        control,
        this.waitHooks(first, 'Kafka to accept a dead letter'),
      );
      if (sent === INTERRUPTED) return interrupted;
    } catch (writeError) {
      return {
        result: 'halted',
        reason: `stopped at offset ${first.offset}: ${message(writeError)} The record failed with: ${message(error)}`,
      };
    }
    for (const record of records) {
      this.logger.error(
        `Dead-lettered ${record.topic}[${record.partition}]@${record.offset} after ${attempts} attempt(s): ${message(error)}`,
      );
      this.deps.observer.record(handler, record.topic, 'dead-lettered', 0);
    }
    return { result: 'dead-lettered' };
  }

  private halt(partition: TopicPartition, reason: string): void {
    const key = { topic: partition.topic, partition: partition.partition };
    this.status.halt(key, reason);
    this.consumer().pause([key]);
    this.logger.error(`Partition ${partitionKey(key)} ${reason}`);
  }

  /**
   * Commits what the batch did through `done` and resolves with the last offset that counts as done
   * (undefined: nothing). An unreachable database or broker is waited out; a batch rolled back
   * because another instance owns the partition counts as nothing done.
   */
  private async commit(
    partition: TopicPartition,
    from: string | undefined,
    done: KafkaRecord,
    run: BatchRun,
  ): Promise<string | undefined> {
    const { ledger } = this.deps;
    const started = performance.now();
    let last: KafkaRecord | undefined = done;
    if (ledger) {
      const to = nextOffset(done.offset);
      // Instances with their own files fence zombies here, not in SQL: an evicted member must not
      // write changelog records after the partition's new owner began (a restore would then meet them).
      // A batch that outlived a rebalance which gave its partition to another member is a zombie's too.
      if (this.deps.changelogs && this.assigned && !this.assigned.has(partitionKey(partition))) {
        this.logger.warn(
          `${partitionKey(partition)} was assigned elsewhere meanwhile; the batch is left to its new owner`,
        );
        this.positions?.forget(partition);
        return undefined;
      }
      if (this.deps.changelogs && (await run.control.confirmMembership?.()) === false) {
        this.logger.warn(
          `${partitionKey(partition)}: this member was evicted from its group; the batch is left to the new owner`,
        );
        this.positions?.forget(partition);
        return undefined;
      }
      try {
        const committed = await this.whenAvailable(
          () =>
            traceFlush(run.work, async () => {
              // The changelog first: a crash after it replays the batch, which writes the same state again.
              const changelog = await this.deps.changelogs?.write(
                run.work,
                this.binding.group,
                partition,
                { from, to },
                run.epoch,
              );
              const checkpoints = changelog?.checkpoints ?? [];
              const outbox = await ledger.commit(
                this.binding.group,
                partition,
                from,
                to,
                run.work,
                checkpoints,
              );
              return { outbox, changelog };
            }),
          run.control,
          this.waitHooks(partition, 'the state store to commit'),
        );
        if (committed === INTERRUPTED) {
          this.positions?.forget(partition);
          return undefined;
        }
        const { outbox, changelog } = committed;
        this.positions?.committed(partition, to);
        // A committed batch ends any wait of its partition, whichever step marked it.
        this.status.recovered(partition);
        this.deps.observer.flush(this.binding.id, performance.now() - started);
        // Restores apply the batch's changes once a position record covers it: written only after its
        // outputs are out, so an instance that dies before has its batch handled again elsewhere
        // (outputs repeated, in order) instead of adopted with outputs that come late or never.
        const delivered = await this.deps.outputs.relay(ledger, outbox);
        // A partition given away meanwhile is its new owner's to vouch for, never a zombie's.
        const owned = !this.assigned || this.assigned.has(partitionKey(partition));
        if (!delivered || !owned) {
          changelog?.defer();
        } else {
          await changelog
            ?.confirm()
            .catch((error: unknown) =>
              this.logger.warn(
                `${partitionKey(partition)}: the changelog position record was not written (${message(error)}); ` +
                  "the partition's next one covers the batch",
              ),
            );
        }
      } catch (error) {
        this.positions?.forget(partition);
        if (!(error instanceof StaleAssignmentError)) throw error;
        this.logger.warn(error.message);
        // Reads again from what the owner committed (the rebalance that follows revokes the partition).
        const position = await this.positions?.get(partition).catch(() => undefined);
        if (position && !(position instanceof OutOfRange) && position.start !== undefined)
          this.consumer().seek({ ...partition, offset: position.start });
        return undefined;
      }
    } else {
      // Stateless: outputs go out before the offset commit, so a crash repeats them rather than loses them.
      last = await this.sendOutputs(run, done);
      if (!last) return undefined;
    }
    const committing = performance.now();
    await run.control
      .commit(nextOffset(last.offset))
      .catch((error: unknown) =>
        this.logger.warn(`Kafka offset commit failed (it is retried with the next batch): ${message(error)}`),
      );
    this.deps.observer.commit(this.binding.id, performance.now() - committing);
    return last.offset;
  }

  /**
   * Produces a stateless batch's outputs, waiting out an unreachable broker. When Kafka refuses them
   * for good, they go again record by record, in order: a record whose outputs are refused is
   * dead-lettered with the reason. Resolves with the last record done.
   */
  private async sendOutputs(run: BatchRun, done: KafkaRecord): Promise<KafkaRecord | undefined> {
    const outputs = run.work.outputs();
    if (outputs.length === 0) return done;
    const hooks = this.waitHooks(done, 'Kafka to accept outputs');
    try {
      const sent = await this.whenAvailable(() => this.deps.outputs.send(outputs), run.control, hooks);
      return sent === INTERRUPTED ? undefined : done;
    } catch (error) {
      if (classifyFailure(error) !== 'refused') throw error;
    }
    // Records before a span whose outputs could not go out stay done; the span and the rest do not.
    const before = (span: OutputSpan) => run.records[run.records.indexOf(span.records[0]) - 1];
    let begin = 0;
    for (const span of run.spans) {
      const own = outputs.slice(begin, span.end);
      begin = span.end;
      try {
        if ((await this.whenAvailable(() => this.deps.outputs.send(own), run.control, hooks)) === INTERRUPTED)
          return before(span);
      } catch (error) {
        if (classifyFailure(error) !== 'refused') throw error;
        const bytes = own.reduce((sum, output) => sum + (output.value?.length ?? 0), 0);
        const refused = new OutputRefusedError(own.map(({ topic }) => topic).join(', '), bytes, error);
        const letter = await this.deadLetter(span.records, refused, 1, run.control);
        if (letter.result === 'interrupted') return before(span);
        if (letter.result === 'halted') {
          this.halt(span.records[0], letter.reason);
          return before(span);
        }
      }
    }
    return done;
  }

  /** The partition's stored position, waiting out an unreachable database or broker. */
  private position(partition: TopicPartition, control: BatchControl) {
    const { positions } = this;
    if (!positions) return Promise.resolve({ stored: undefined, start: undefined });
    return this.whenAvailable(
      () => positions.get(partition),
      control,
      this.waitHooks(partition, 'the state store'),
    );
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
