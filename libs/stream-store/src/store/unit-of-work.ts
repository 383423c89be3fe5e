import { AsyncLocalStorage } from 'node:async_hooks';
import { BatchReads, type KeyedRecord } from './batch-reads.js';

/**
 * A pending write: a new value, or a delete. `json` is the value as stored, serialised (and
 * validated) when written, and wins over `value`; `expiresAt` is in ms since the epoch.
 */
export type PendingWrite =
  | { readonly deleted: false; readonly value: unknown; readonly json?: string; readonly expiresAt?: number }
  | { readonly deleted: true };

/**
 * What OpenTelemetry's `SpanContext` holds that a link needs (declared here so that the typings do not
 * need `@opentelemetry/api`, an optional peer).
 */
export interface TraceSpanContext {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
}

/** The SDK's default limit of links per span. */
const MAX_TRACE_LINKS = 128;

type Writes = Map<string, Map<string, PendingWrite>>;

/** A handler output (sink or `ctx.publish`), encoded and ready for the producer. */
export interface OutputRecord {
  /** Kafka topic, prefix applied. */
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Header values as text. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Topic configs should samsa create the topic (e.g. `retention.ms` from the schema). */
  readonly config?: Readonly<Record<string, string>>;
}

/**
 * The state writes of one consumed batch of one partition, flushed in one SQL transaction with the
 * partition's offset. Each record's writes are staged first and kept only when its handler
 * succeeds, so a failed attempt leaves nothing behind.
 */
export class UnitOfWork {
  private readonly kept: Writes = new Map();
  /** Emptied after each record rather than replaced: a record costs no new maps. */
  private readonly staged: Writes = new Map();
  private readonly keptOutputs: OutputRecord[] = [];
  private stagedOutputs: OutputRecord[] = [];
  /** Stored values of the batch's record keys, read once per store (pending writes win over them). */
  readonly reads: BatchReads;
  /** Handler spans of the batch (OpenTelemetry), for its flush span to link to; at most `MAX_TRACE_LINKS`. */
  readonly traceLinks: TraceSpanContext[] = [];

  /**
   * `partition` is the input partition the state belongs to; `records` the batch's records;
   * `source` the handler's group and the batch's topic (what `StreamMetadata` learns stores from).
   */
  constructor(
    readonly partition: number,
    records: readonly KeyedRecord[] = [],
    readonly source?: { readonly group: string; readonly topic: string },
  ) {
    this.reads = new BatchReads(records);
  }

  read(store: string, key: string): PendingWrite | undefined {
    return this.staged.get(store)?.get(key) ?? this.kept.get(store)?.get(key);
  }

  write(store: string, key: string, write: PendingWrite): void {
    let writes = this.staged.get(store);
    if (!writes) this.staged.set(store, (writes = new Map()));
    writes.set(key, write);
  }

  /** Notes a handler span of the batch (ignored past `MAX_TRACE_LINKS`: a span keeps that many links). */
  linkTrace(span: TraceSpanContext): void {
    if (this.traceLinks.length < MAX_TRACE_LINKS) this.traceLinks.push(span);
  }

  /** Stages an output of the current record: produced only if the record succeeds. */
  emit(output: OutputRecord): void {
    this.stagedOutputs.push(output);
  }

  /** Kept outputs, in the order they were emitted. */
  outputs(): readonly OutputRecord[] {
    return this.keptOutputs;
  }

  /** The current record succeeded: its writes join the batch. */
  keepRecord(): void {
    if (this.stagedOutputs.length > 0) {
      this.keptOutputs.push(...this.stagedOutputs);
      this.stagedOutputs = [];
    }
    for (const [store, writes] of this.staged) {
      if (writes.size === 0) continue;
      let kept = this.kept.get(store);
      if (!kept) this.kept.set(store, (kept = new Map()));
      for (const [key, write] of writes) kept.set(key, write);
      writes.clear();
    }
  }

  /** The current record failed: its writes are dropped. */
  discardRecord(): void {
    for (const writes of this.staged.values()) writes.clear();
    this.stagedOutputs = [];
  }

  /** Kept and staged writes of one store; a staged write replaces a kept one. */
  pendingOf(store: string): Map<string, PendingWrite> {
    return new Map([...(this.kept.get(store) ?? []), ...(this.staged.get(store) ?? [])]);
  }

  /** Kept writes, store by store. */
  writes(): ReadonlyMap<string, ReadonlyMap<string, PendingWrite>> {
    return this.kept;
  }

  get isEmpty(): boolean {
    return this.kept.size === 0;
  }
}

/** The unit of work of the handler running in this async context, if any. */
export const currentUnitOfWork = new AsyncLocalStorage<UnitOfWork>();
