import { StreamStoreError } from './stream-store.error.js';

/** A batch's send failed in the background; reported by the batch's next `append()` or `flush()`. */
export class BatchFlushError extends StreamStoreError {
  constructor(
    /** Messages not (or not surely) written: the failed send's and any the batch held back after it. */
    readonly unsent: number,
    cause: unknown,
  ) {
    super(
      `${unsent} message(s) of a publish batch were not sent: ${cause instanceof Error ? cause.message : String(cause)}. ` +
        'Check the broker and append them again; the batch sends new messages normally from now on.',
      { cause, retriable: true },
    );
  }
}
