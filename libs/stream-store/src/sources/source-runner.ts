import { Logger } from '@nestjs/common';
import { MessageValidationError, validateMessageSync, type SchemaClass } from '@samsa/schema';
import { InvalidStateValueError } from '../errors/invalid-state-value.error.js';
import { openSink, sinkName, type SinkFactories, type SinkWriter } from './source-sinks.js';
import { parseInterval } from './source-schedule.js';
import type { SourceStatus } from './source-status.interface.js';
import { SourceItemError } from './source-item.error.js';
import { SourceNotIterableError } from './source-not-iterable.error.js';
import type { SourceRunContext, StreamSourceOptions } from './stream-source-options.interface.js';

/** Counts what sources did (implemented by `StreamMetrics`). */
export interface SourceObserver {
  sourceItems(source: string, sink: string, count: number): void;
}

type SourceMethod = (context: SourceRunContext) => unknown;
type AnyIterator = Iterator<unknown> | AsyncIterator<unknown>;

const STOPPED = Symbol('stopped');
/** How long `stop()` lets a busy generator finish its current item so that `return()` runs. */
const CLOSE_GRACE_MS = 2_000;

/**
 * Runs one `@StreamSource`: calls the method, reads its iterable one item at a time, hands each item
 * to every sink (waiting when a sink pushes back), then closes the sinks; again `every` so long if
 * scheduled. `stop()` ends it between items, closes the iterator (`return()`) and flushes what the
 * sinks took: nothing is written after it resolves.
 */
export class SourceRunner {
  private readonly logger: Logger;
  private readonly stopping = new AbortController();
  private readonly stopped: Promise<typeof STOPPED>;
  private readonly intervalMs?: number;
  private readonly state: SourceStatus;
  private loop?: Promise<void>;

  constructor(
    readonly id: string,
    private readonly method: SourceMethod,
    private readonly options: StreamSourceOptions,
    private readonly factories: SinkFactories,
    private readonly observer?: SourceObserver,
  ) {
    this.logger = new Logger(`StreamSource ${id}`);
    this.intervalMs = options.every === undefined ? undefined : parseInterval(options.every);
    this.stopped = new Promise((resolve) =>
      this.stopping.signal.addEventListener('abort', () => resolve(STOPPED), { once: true }),
    );
    this.state = {
      source: id,
      state: 'waiting',
      sinks: [options.sink].flat().map(sinkName),
      runs: 0,
      items: 0,
      skipped: 0,
      scheduled: this.intervalMs !== undefined,
    };
  }

  status(): SourceStatus {
    return { ...this.state, sinks: [...this.state.sinks] };
  }

  /** Starts the runs in the background; their failures show in `status()`, never as rejections. */
  start(): void {
    this.loop ??= this.runAll();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
    if (this.state.state !== 'failed') this.state.state = 'stopped';
  }

  private async runAll(): Promise<void> {
    for (let run = 1; !this.stopping.signal.aborted; run++) {
      await this.runOnce(run);
      if (this.intervalMs === undefined) return;
      if (this.state.state === 'done') this.state.state = 'waiting';
      await Promise.race([
        new Promise((resolve) => setTimeout(resolve, this.intervalMs).unref()),
        this.stopped,
      ]);
    }
  }

  private async runOnce(run: number): Promise<void> {
    this.state.state = 'running';
    this.state.runs = run;
    const sinks = [this.options.sink].flat().map((sink) => openSink(sink, this.factories));
    let iterator: AnyIterator | undefined;
    let finished = false;
    let pending = false;
    try {
      iterator = this.iteratorOf(await this.method({ signal: this.stopping.signal, run }));
      let taken = 0;
      while (!this.stopping.signal.aborted) {
        pending = true;
        const next = await Promise.race([iterator.next(), this.stopped]);
        if (next === STOPPED) break;
        pending = false;
        if (next.done) {
          finished = true;
          break;
        }
        if (await this.accept(next.value, sinks)) taken++;
      }
      await closeAll(sinks);
      this.state.state = this.stopping.signal.aborted ? 'stopped' : 'done';
      this.state.error = undefined;
      this.logger.log(`Run ${run} ${this.state.state}: ${taken} item(s) to ${this.state.sinks.join(', ')}`);
    } catch (error) {
      await closeAll(sinks).catch((closing: unknown) =>
        this.logger.warn(`Items taken before the failure were not all written: ${message(closing)}`),
      );
      this.state.state = 'failed';
      this.state.error = message(error);
      const log = `Run ${run} failed: ${message(error)}`;
      // A scheduled source tries again by itself; a one-off one needs someone to look.
      if (this.intervalMs === undefined) this.logger.error(log);
      else this.logger.warn(`${log} (next run in ${this.intervalMs} ms)`);
    } finally {
      if (iterator && !finished) await this.close(iterator, pending);
    }
  }

  /** The item, validated, to every sink; false when it was invalid and skipped. */
  private async accept(item: unknown, sinks: SinkWriter[]): Promise<boolean> {
    try {
      const { key, payload } = this.entryOf(item);
      for (const sink of sinks) {
        const accepted = sink.write(key, payload);
        if (accepted) await accepted;
      }
    } catch (error) {
      if (this.options.onInvalid !== 'skip' || !isInvalidItem(error)) throw error;
      this.state.skipped++;
      this.logger.warn(`Item skipped: ${message(error)}`);
      return false;
    }
    this.state.items++;
    for (const sink of sinks) this.observer?.sourceItems(this.id, sink.name, 1);
    return true;
  }

  /** Key and message of an item: an entry `[key, value]`, or a message keyed by the `key` option. */
  private entryOf(item: unknown): { key: string | undefined; payload: object } {
    let key: string | undefined;
    let value: unknown = item;
    if (Array.isArray(item)) {
      if (item.length !== 2 || typeof item[0] !== 'string') {
        throw new SourceItemError(this.id, 'an array item must be an entry [key: string, value].');
      }
      [key, value] = item as [string, unknown];
    }
    if (typeof value !== 'object' || value === null) {
      throw new SourceItemError(
        this.id,
        `items must be objects (messages) or entries [key, message], got ${value === null ? 'null' : typeof value}.`,
      );
    }
    const payload = this.options.schema
      ? validateMessageSync(this.options.schema as SchemaClass<object>, value)
      : value;
    key ??= this.options.key?.(payload);
    if (key === undefined && [this.options.sink].flat().some((sink) => typeof sink !== 'string')) {
      throw new SourceItemError(
        this.id,
        'a store sink needs a key: yield entries [key, value] or set `key`.',
      );
    }
    return { key, payload };
  }

  private iteratorOf(result: unknown): AnyIterator {
    const iterable = result as Partial<AsyncIterable<unknown> & Iterable<unknown>> | null | undefined;
    const asyncIterator = iterable?.[Symbol.asyncIterator];
    if (typeof asyncIterator === 'function') return asyncIterator.call(iterable);
    const syncIterator = iterable?.[Symbol.iterator];
    if (typeof syncIterator === 'function' && typeof result !== 'string') return syncIterator.call(iterable);
    throw new SourceNotIterableError(this.id, result);
  }

  /**
   * Closes an iterator the run left early (`return()`, as `for await` would). An async generator
   * still busy producing its next item closes once that settles: that is waited for a short grace
   * only, so a source sleeping until its next item cannot hold up shutdown.
   */
  private async close(iterator: AnyIterator, pending: boolean): Promise<void> {
    const closing = (async () => {
      await iterator.return?.();
    })().catch((error: unknown) => this.logger.warn(`Closing the iterator failed: ${message(error)}`));
    if (!pending) return closing;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), CLOSE_GRACE_MS);
    });
    const outcome = await Promise.race([closing, graceOver]);
    clearTimeout(timer);
    if (outcome === 'late') {
      this.logger.warn(
        `The source was still producing an item after ${CLOSE_GRACE_MS} ms: closing it in the background`,
      );
    }
  }
}

function isInvalidItem(error: unknown): boolean {
  return (
    error instanceof SourceItemError ||
    error instanceof MessageValidationError ||
    error instanceof InvalidStateValueError
  );
}

async function closeAll(sinks: SinkWriter[]): Promise<void> {
  const results = await Promise.allSettled(sinks.map((sink) => sink.close()));
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
