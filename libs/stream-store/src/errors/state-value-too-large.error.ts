import { StreamStoreError } from './stream-store.error.js';

/**
 * A state value whose changelog record would be larger than the changelog topic accepts: the
 * broker would refuse it at every commit and the partition would stop. Not retriable: the same
 * handler code would write the same value again, so the record is dead-lettered instead.
 */
export class StateValueTooLargeError extends StreamStoreError {
  constructor(
    readonly store: string,
    readonly key: string,
    /** Bytes of the key and the value's JSON, UTF-8. */
    readonly size: number,
    /** The most the changelog record's key and value may take, in bytes. */
    readonly limit: number,
  ) {
    super(
      `Value for key ${JSON.stringify(key.length > 100 ? `${key.slice(0, 100)}…` : key)} of state store ` +
        `"${store}" takes ${size} bytes with its key, more than the ${limit} its changelog record may take. ` +
        "Keep less under one key (split the value over several keys), raise the changelog topic's " +
        "`max.message.bytes` (and the broker's `message.max.bytes`), or declare the store with `changelog: false`.",
      { retriable: false },
    );
  }
}
