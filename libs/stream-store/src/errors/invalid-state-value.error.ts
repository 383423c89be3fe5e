import { StreamStoreError } from './stream-store.error.js';

/**
 * A value written to a state store is undefined, not JSON-serialisable, or fails its store's
 * `valueClass`. Not retriable: the same handler code would write the same value again.
 */
export class InvalidStateValueError extends StreamStoreError {
  constructor(
    readonly store: string,
    readonly key: string,
    problem: string,
    cause?: unknown,
  ) {
    super(`Value for key ${JSON.stringify(key)} of state store "${store}" ${problem}.`, {
      cause,
      retriable: false,
    });
  }
}
