import { Logger } from '@nestjs/common';
import { StreamStoreError } from '../errors/stream-store.error.js';
import { BatchFlushError } from '../errors/batch-flush.error.js';
import { DEFAULTS } from '../defaults.js';
import type { PublishBatchOptions, PublishOptions } from './publish-options.interface.js';
import type { PreparedRecord, RecordPreparer } from './record-preparer.js';
import type { RecordSender } from './record-sender.js';

/**
 * Buffers messages and sends them together: when `maxMessages` are buffered, before `maxBytes` would be exceeded,
 * `lingerMs` after the first message of a new batch, on `flush()`, and when disposed. Sends run one after the
 * other, so the order of `append()` calls is the order on each partition. Past `maxQueuedBytes` not yet sent,
 * `append()` returns a promise to await (backpressure), so a fast loop does not buffer without bound.
 *
 * A send that fails in the background is logged and reported by the next `append()` or `flush()` (as a
 * `BatchFlushError`). Until it is reported, later sends of the batch are dropped and counted in that error, so
 * nothing is written after a lost message.
 *
 * With `await using batch = publisher.batch()` the batch is flushed when the block exits — also when the block
 * throws, in which case a failing flush joins the block's error in a `SuppressedError`.
 */
export class PublishBatch implements AsyncDisposable {
  private readonly logger = new Logger(PublishBatch.name);
  private readonly maxMessages: number;
  private readonly maxBytes: number;
  private readonly lingerMs: number;
  private readonly maxQueuedBytes: number;
  /** Bytes appended and not yet through a send (buffered or queued). */
  private queuedBytes = 0;
  private waiters: Array<() => void> = [];
  private buffer: PreparedRecord[] = [];
  private bytes = 0;
  private timer?: ReturnType<typeof setTimeout>;
  private sending: Promise<void> = Promise.resolve();
  private failure?: { cause: unknown; unsent: number };
  private disposed = false;

  constructor(
    private readonly preparer: Pick<RecordPreparer, 'prepare' | 'prepareRaw'>,
    private readonly sender: Pick<RecordSender, 'send'>,
    options: PublishBatchOptions = {},
  ) {
    const defaults = DEFAULTS.publishBatch;
    this.maxMessages = whole('maxMessages', options.maxMessages ?? defaults.maxMessages, 1);
    this.maxBytes = whole('maxBytes', options.maxBytes ?? defaults.maxBytes, 1);
    this.lingerMs = whole('lingerMs', options.lingerMs ?? defaults.lingerMs, 0);
    this.maxQueuedBytes = whole('maxQueuedBytes', options.maxQueuedBytes ?? defaults.maxQueuedBytes, 1);
  }

  /** Messages buffered and not yet handed to the producer. */
  get buffered(): number {
    return this.buffer.length;
  }

  /**
   * Validates the message against its `@Schema` class synchronously and buffers it. Throws a
   * `MessageValidationError` for invalid data, or the `BatchFlushError` of an earlier send; either way this
   * message was not buffered. Returns a promise when more than `maxQueuedBytes` wait to be sent:
   * `await batch.append(...)` in loops, so memory stays bounded.
   */
  append(topic: string, message: object, options?: PublishOptions): Promise<void> | undefined {
    this.checkUsable();
    return this.add(this.preparer.prepare(topic, message, options));
  }

  /** Buffers bytes (or text, or a tombstone) as they are: no envelope, no validation. Returns as `append()`. */
  appendRaw(
    topic: string,
    value: Buffer | string | null,
    options?: PublishOptions,
  ): Promise<void> | undefined {
    this.checkUsable();
    return this.add(this.preparer.prepareRaw(topic, value, options));
  }

  /** Sends what is buffered and waits for every send of this batch; throws if one of them failed. */
  async flush(): Promise<void> {
    this.sendBuffered();
    await this.sending;
    this.throwFailure();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.disposed = true;
    await this.flush();
  }

  private add(record: PreparedRecord): Promise<void> | undefined {
    const size = sizeOf(record);
    if (this.buffer.length > 0 && this.bytes + size > this.maxBytes) this.sendBuffered();
    this.buffer.push(record);
    this.bytes += size;
    this.queuedBytes += size;
    if (this.buffer.length >= this.maxMessages || this.bytes >= this.maxBytes) this.sendBuffered();
    else if (this.buffer.length === 1) this.timer = setTimeout(() => this.sendBuffered(), this.lingerMs);
    if (this.queuedBytes <= this.maxQueuedBytes) return undefined;
    // Over the mark: what is buffered goes out now, and the caller waits for sends to catch up.
    this.sendBuffered();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** A send finished: let waiting `append()` callers go on once the queue is back under the mark. */
  private sent(bytes: number): void {
    this.queuedBytes -= bytes;
    if (this.queuedBytes > this.maxQueuedBytes && this.failure === undefined) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  private sendBuffered(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer.length === 0) return;
    const records = this.buffer;
    const bytes = this.bytes;
    this.buffer = [];
    this.bytes = 0;
    this.sending = this.sending.then(() => this.send(records)).then(() => this.sent(bytes));
  }

  /** Never rejects: a failure is kept for the next `append()` or `flush()`. */
  private async send(records: PreparedRecord[]): Promise<void> {
    if (this.failure) {
      this.failure.unsent += records.length;
      return;
    }
    try {
      await this.sender.send(records);
    } catch (error) {
      this.failure = { cause: error, unsent: records.length };
      this.logger.error(`A publish batch could not send ${records.length} message(s): ${String(error)}`);
    }
  }

  private checkUsable(): void {
    if (this.disposed)
      throw new StreamStoreError('This publish batch was disposed; start another with publisher.batch().');
    this.throwFailure();
  }

  private throwFailure(): void {
    const failure = this.failure;
    if (!failure) return;
    this.failure = undefined;
    throw new BatchFlushError(failure.unsent, failure.cause);
  }
}

function sizeOf({ message }: PreparedRecord): number {
  let size = byteLength(message.value) + byteLength(message.key);
  for (const [name, value] of Object.entries(message.headers ?? {}))
    for (const part of [value].flat()) size += byteLength(name) + byteLength(part);
  return size;
}

function byteLength(value: Buffer | string | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}

function whole(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`batch(): ${name} must be a whole number ≥ ${min}, got ${value}.`);
  }
  return value;
}
