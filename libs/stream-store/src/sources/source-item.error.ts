import { StreamStoreError } from '../errors/stream-store.error.js';

/**
 * A `@StreamSource` item its sinks cannot take as it is (not an object or an entry, or no key for a
 * store sink). Not retriable: the source yields the same item again.
 */
export class SourceItemError extends StreamStoreError {
  constructor(source: string, problem: string) {
    super(`@StreamSource ${source}: ${problem}`, { retriable: false });
  }
}
