import { Logger } from '@nestjs/common';
import { DEFAULTS } from '../defaults.js';
import type { StreamProducer } from '../kafka/kafka-client.interface.js';
import type { PartitionCounts } from '../publisher/partition-counts.js';
import type { PublishObserver } from '../publisher/publish-observer.js';
import type { TopicManager } from '../publisher/topic-manager.js';
import type { OutboxRow } from '../store/backend/journal-sql.js';
import type { OffsetLedger } from '../store/offset-ledger.interface.js';
import { readOutboxRow, type PendingOutput } from '../store/outbox-record.js';
import type { OutputRecord } from '../store/unit-of-work.js';
import { backoffDelay, type RetryPolicy } from './backoff.js';
import { DeadLetterWriter } from './dead-letter.js';
import { OutboxBacklog } from './outbox-backlog.js';
import { OutboxQueue } from './outbox-queue.js';
import type { OutboxObserver, OutboxStatus } from './outbox-status.js';
import { OutputDeadLetters } from './output-dead-letters.js';
import { OutputLanes } from './output-lanes.js';
import { OutputSender, type Delivery } from './output-sender.js';

export interface OutputRelayOptions {
  /** Partition counts, to send each partition's outputs on their own (see `OutputLanes`). Strongly advised. */
  partitionCounts?: Pick<PartitionCounts, 'get'>;
  /** Outputs waiting with none produced for this long make the backlog stuck (health: unhealthy), in ms. Default 60 000. */
  stuckAfterMs?: number;
  /** Waits between attempts at a topic that failed. Default: `DEFAULTS.infrastructureBackoff` (200 ms to 5 s). */
  backoff?: RetryPolicy;
  /** Outputs kept in memory for the relay, in stored bytes; past it they are read back from SQL. Default 16 MiB. */
  maxQueuedBytes?: number;
}

/**
 * Longer than one full attempt of the client at a failing broker (KafkaJS: 30 s request timeout, then
 * retries), so a broker that answers slowly is not mistaken for a stuck backlog.
 */
const STUCK_AFTER_MS = 60_000;
const MAX_QUEUED_BYTES = 16 * 1024 * 1024;
/** Outputs per relay step: read from SQL, or taken from memory. */
const STEP_ROWS = 500;

type Commit = Awaited<ReturnType<OffsetLedger['commit']>>;

/** A caller waiting for outputs (`relay`) or for the whole backlog (`drain`). */
interface Waiter {
  /** Ids not yet out; undefined: the backlog read back from SQL. */
  readonly ids?: Set<string>;
  readonly topics: ReadonlySet<string>;
  readonly resolve: () => void;
}

interface Blocked {
  attempts: number;
  retryAt: number;
}

/**
 * Produces handler outputs (sinks and `ctx.publish`). With state stores they come from the outbox:
 * written in the batch's SQL transaction, produced after it commits, then deleted - so an output exists
 * only for committed state.
 *
 * One loop per application produces every outbox row, one step at a time: outputs of a topic go out
 * in the order they were committed, each once (a crash between producing and deleting repeats them, in
 * order). Commits hand their rows in and wait until they are out - or until producing them failed:
 * the rows then wait in the outbox, their topic is tried again with backoff (other topics go on), and
 * the commit is not failed. An output Kafka refuses for good is dead-lettered to `<topic>.dlq`.
 */
export class OutputRelay {
  private readonly logger = new Logger('StreamOutputs');
  private readonly sender: OutputSender;
  private readonly queue: OutboxQueue;
  private readonly backlog: OutboxBacklog;
  private readonly backoff: RetryPolicy;
  private readonly blocked = new Map<string, Blocked>();
  private readonly waiters = new Set<Waiter>();
  /** Produced but not yet deleted (the delete failed): never produced again. */
  private readonly unforgotten = new Set<string>();
  private ledger?: OffsetLedger;
  /** True while outputs wait only in SQL (after a restart, or once the memory queue overflowed). */
  private fromSql = false;
  /** Commits handed in while reading from SQL: the read that sees none of them may end it. */
  private handedInFromSql = 0;
  private running = false;
  private kicked = false;
  private wake?: () => void;
  private closed = false;
  private stuckReported = false;

  constructor(
    private readonly producer: StreamProducer,
    private readonly topics: TopicManager,
    private readonly observer: PublishObserver & OutboxObserver,
    options: OutputRelayOptions = {},
  ) {
    const deadLetters = new OutputDeadLetters(new DeadLetterWriter(producer, topics, ''), topics);
    const lanes = new OutputLanes(options.partitionCounts);
    this.sender = new OutputSender(producer, topics, lanes, deadLetters, observer);
    this.queue = new OutboxQueue(options.maxQueuedBytes ?? MAX_QUEUED_BYTES);
    this.backlog = new OutboxBacklog(options.stuckAfterMs ?? STUCK_AFTER_MS);
    this.backoff = options.backoff ?? DEFAULTS.infrastructureBackoff;
    observer.watchOutbox?.(() => this.status());
  }

  /** Produces outputs without an outbox (stateless handlers), in order per topic; throws when that fails. */
  async send(outputs: readonly OutputRecord[]): Promise<void> {
    if (outputs.length === 0) return;
    const byTopic = new Map<string, OutputRecord[]>();
    for (const output of outputs) byTopic.set(output.topic, [...(byTopic.get(output.topic) ?? []), output]);
    await Promise.all(
      [...byTopic].map(([topic, list]) => this.topics.ensure(topic, { config: { ...list[0].config } })),
    );
    await this.producer.send(
      [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map(({ key, value, headers }) => ({ key, value, headers })),
      })),
    );
    for (const [topic, list] of byTopic) this.observer.published(topic, list.length);
  }

  /**
   * Hands in the rows a commit wrote to the outbox and resolves once they are out (true) - or once an
   * attempt at one of their topics failed (false: they stay in the outbox and go out later, in order).
   * Never throws.
   */
  async relay(ledger: OffsetLedger, rows: Commit): Promise<boolean> {
    if (rows.length === 0) return true;
    if (this.closed) return false;
    this.ledger ??= ledger;
    const pending = rows.map((row) => readOutboxRow(row));
    this.backlog.added(pending.length);
    if (this.fromSql) this.handedInFromSql++;
    else if (!this.queue.push(pending)) this.overflow();
    const waiting = new Set(pending.map((row) => row.id));
    await this.wait({ ids: waiting, topics: topicsOf(pending) });
    return waiting.size === 0;
  }

  /**
   * Produces the outputs a previous run left in the outbox, oldest first (at startup). Resolves once
   * they are out or an attempt failed (the relay goes on trying); with how many waited.
   */
  async drain(ledger: OffsetLedger): Promise<number> {
    this.ledger ??= ledger;
    if (this.closed) return 0;
    // From now on, outputs committed meanwhile go out after the older ones, read back with them.
    this.readFromSql();
    const waiting = await ledger.outboxSize();
    this.backlog.counted(waiting);
    if (waiting > 0) this.logger.log(`Producing ${waiting} output(s) left in the outbox`);
    await this.wait({ topics: new Set() });
    return waiting;
  }

  /** The backlog, for health and metrics: see `OutboxStatus`. */
  status(): OutboxStatus {
    return this.backlog.status();
  }

  /** Stops the loop (outputs left wait in the outbox for the next start) and releases waiting commits. */
  close(): void {
    this.closed = true;
    this.wake?.();
    for (const waiter of this.waiters) waiter.resolve();
    this.waiters.clear();
  }

  private wait(waiter: Omit<Waiter, 'resolve'>): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiters.add({ ...waiter, resolve });
      this.kick();
    });
  }

  private overflow(): void {
    this.logger.warn(
      `More than ${this.queue.length} outputs wait to be produced; the relay reads them back from samsa_outbox`,
    );
    this.readFromSql();
  }

  /** Outputs are read back from the outbox table (they are all there), oldest first, until none waits. */
  private readFromSql(): void {
    this.queue.clear();
    this.fromSql = true;
    this.handedInFromSql++;
  }

  /** Starts the loop, or tells the running one there is more to do. */
  private kick(): void {
    this.kicked = true;
    this.wake?.();
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  /** One at a time, so outputs never overtake each other and none is produced twice. */
  private async loop(): Promise<void> {
    let failures = 0;
    try {
      while (!this.closed) {
        this.kicked = false;
        let pause: number | 'idle';
        try {
          pause = await this.step();
          failures = 0;
        } catch (error) {
          // Reading or deleting rows failed (the database): outputs stay where they are.
          failures++;
          this.backlog.failed(describe(error));
          this.logger.warn(`The outbox could not be read or cleaned, trying again: ${describe(error)}`);
          this.settleAll();
          pause = backoffDelay(this.backoff, failures);
        }
        this.reportStuck();
        if (pause === 'idle') {
          if (!this.kicked) break;
        } else if (pause > 0 && !this.kicked) {
          await this.sleep(pause);
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** Produces the next outputs; says how long to wait before the next step ('idle': until handed more). */
  private async step(): Promise<number | 'idle'> {
    const ledger = this.ledger;
    if (!ledger) return 'idle';
    if (this.unforgotten.size > 0) {
      await ledger.deleteOutbox([...this.unforgotten]);
      this.unforgotten.clear();
    }
    const now = Date.now();
    const waits = (topic: string) => (this.blocked.get(topic)?.retryAt ?? 0) > now;
    const read = this.fromSql ? await this.readBack(ledger, waits) : undefined;
    const outputs = read?.outputs ?? this.queue.take(STEP_ROWS, waits);
    if (outputs.length === 0) {
      if (read?.complete) this.leaveSql();
      // Nothing waits at all: no topic is owed a retry.
      if ((read ? read.waiting : this.queue.length) === 0) this.blocked.clear();
      return this.nextRetry(now);
    }
    const delivery = await this.sender.deliver(outputs);
    const done = new Set(delivery.done.map((pending) => pending.id));
    this.queue.remove(done);
    this.backlog.done(done.size);
    if (!this.fromSql) this.backlog.oldest(this.queue.oldest?.committedAt);
    this.unblock(delivery);
    this.block(delivery, now);
    for (const [topic, count] of delivery.deadLettered) {
      this.logger.warn(
        `Kafka refused ${count} output(s) to ${topic} for good; they were dead-lettered to ${topic}.dlq with the reason`,
      );
      this.observer.outputsDeadLettered?.(topic, count);
    }
    if (read?.complete && delivery.failed.size === 0) this.leaveSql();
    this.settle(done, delivery);
    try {
      if (done.size > 0) await ledger.deleteOutbox([...done]);
    } catch (error) {
      for (const id of done) this.unforgotten.add(id);
      throw error;
    }
    return 0;
  }

  /**
   * The oldest rows of the outbox. `complete` when they are all it held (and no commit handed rows in
   * meanwhile) and none had to wait: once they are out, new outputs can come from memory again.
   */
  private async readBack(
    ledger: OffsetLedger,
    waits: (topic: string) => boolean,
  ): Promise<{ outputs: PendingOutput[]; waiting: number; complete: boolean }> {
    const handedIn = this.handedInFromSql;
    const rows: OutboxRow[] = await ledger.pendingOutbox(STEP_ROWS);
    const all = rows.filter((row) => !this.unforgotten.has(row.id)).map((row) => readOutboxRow(row));
    this.backlog.oldest(all[0]?.committedAt);
    const outputs = all.filter((pending) => !waits(pending.output.topic));
    const complete =
      rows.length < STEP_ROWS && outputs.length === all.length && handedIn === this.handedInFromSql;
    return { outputs, waiting: all.length, complete };
  }

  private leaveSql(): void {
    this.fromSql = false;
    this.handedInFromSql = 0;
    for (const waiter of this.waiters) {
      if (waiter.ids) continue;
      this.waiters.delete(waiter);
      waiter.resolve();
    }
  }

  /** Topics that went out again after failing. */
  private unblock(delivery: Delivery): void {
    for (const pending of delivery.done) {
      const topic = pending.output.topic;
      if (delivery.failed.has(topic) || !this.blocked.delete(topic)) continue;
      this.logger.log(`Outputs to ${topic} are produced again`);
    }
  }

  private block(delivery: Delivery, now: number): void {
    for (const [topic, error] of delivery.failed) {
      const attempts = (this.blocked.get(topic)?.attempts ?? 0) + 1;
      const delay = backoffDelay(this.backoff, attempts);
      this.blocked.set(topic, { attempts, retryAt: now + delay });
      this.backlog.failed(`${topic}: ${describe(error)}`);
      this.logger.warn(
        `Producing outputs to ${topic} failed (attempt ${attempts}); they wait in the outbox and are tried again in ${delay} ms: ${describe(error)}`,
      );
    }
  }

  /** Releases waiters whose outputs are out, and those whose topic just failed (their rows wait). */
  private settle(done: ReadonlySet<string>, delivery: Delivery): void {
    for (const waiter of this.waiters) {
      if (!waiter.ids) {
        if (delivery.failed.size === 0) continue;
      } else {
        for (const id of done) waiter.ids.delete(id);
        const failed = [...waiter.topics].some((topic) => delivery.failed.has(topic));
        if (waiter.ids.size > 0 && !failed) continue;
      }
      this.waiters.delete(waiter);
      waiter.resolve();
    }
  }

  private settleAll(): void {
    for (const waiter of this.waiters) waiter.resolve();
    this.waiters.clear();
  }

  /** Until the earliest blocked topic may be tried again; idle when none waits. */
  private nextRetry(now: number): number | 'idle' {
    if (this.blocked.size === 0) return 'idle';
    return Math.max(1, Math.min(...[...this.blocked.values()].map((blocked) => blocked.retryAt)) - now);
  }

  private reportStuck(): void {
    const { stuck } = this.backlog.status();
    if (stuck && !this.stuckReported) this.logger.error(`Outputs are stuck: ${stuck}`);
    this.stuckReported = stuck !== undefined;
  }

  /** Sleeps, or less when handed more (a topic that is not blocked may go on). */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      // Outputs wait in the outbox for the next start: a retry alone does not keep the process up.
      const timer = setTimeout(done, ms).unref();
      this.wake = done;
    });
  }
}

function topicsOf(outputs: readonly PendingOutput[]): Set<string> {
  return new Set(outputs.map((pending) => pending.output.topic));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
