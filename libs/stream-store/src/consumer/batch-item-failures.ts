import { StreamStoreError } from '../errors/stream-store.error.js';

/** One item of a batch handler's array that failed, by its index in that array. */
export interface BatchItemFailure {
  index: number;
  error?: unknown;
}

/**
 * Thrown (or returned) by a `batch: true` handler to say which items failed: only those are retried
 * and then dead-lettered; the others count as handled, their store writes and outputs kept (as AWS
 * Lambda's `reportBatchItemFailures`). A retry receives only the failed items, in their order.
 */
export class BatchItemFailures extends StreamStoreError {
  readonly failures: readonly BatchItemFailure[];

  constructor(failures: ReadonlyArray<BatchItemFailure | number>) {
    const list = failures.map((failure) => (typeof failure === 'number' ? { index: failure } : failure));
    super(`${list.length} item(s) of the batch failed: ${list.map(({ index }) => index).join(', ')}`, {
      retriable: true,
    });
    this.failures = list;
  }
}
