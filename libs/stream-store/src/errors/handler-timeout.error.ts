import { StreamStoreError } from './stream-store.error.js';

/** A handler ran past its `timeout`; it counts as failed and is retried, then dead-lettered. */
export class HandlerTimeoutError extends StreamStoreError {
  constructor(handler: string, timeoutMs: number) {
    super(
      `Handler ${handler} did not finish within ${timeoutMs} ms; raise its \`timeout\` option if it needs longer.`,
      {
        retriable: true,
      },
    );
  }
}
