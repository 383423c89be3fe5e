import { StreamStoreError } from './stream-store.error.js';

/**
 * A handler ran past its `timeout`; it counts as failed and is retried, then dead-lettered. Its
 * `ctx.signal` was aborted; when the run had not settled within the grace after that, `stillRunning`
 * settles once it does, and the partition waits for it before anything else runs.
 */
export class HandlerTimeoutError extends StreamStoreError {
  constructor(
    handler: string,
    timeoutMs: number,
    readonly stillRunning?: Promise<void>,
  ) {
    super(
      `Handler ${handler} did not finish within ${timeoutMs} ms; raise its \`timeout\` option if it needs longer` +
        (stillRunning ? ', and let it stop when `ctx.signal` aborts' : ''),
      { retriable: true },
    );
  }
}
