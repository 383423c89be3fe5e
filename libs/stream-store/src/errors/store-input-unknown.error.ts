import { StreamStoreError } from './stream-store.error.js';

/**
 * `StreamMetadata.ownerOf()` cannot tell which input topic a store's keys are partitioned like:
 * no handler writes the store, or several topics (or handler groups) do and none was named.
 */
export class StoreInputUnknownError extends StreamStoreError {
  constructor(store: string, problem: string) {
    super(`State store "${store}": ${problem}`);
  }
}
