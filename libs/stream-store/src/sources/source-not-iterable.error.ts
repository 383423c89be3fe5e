import { StreamStoreError } from '../errors/stream-store.error.js';

/** A `@StreamSource` method returned something that is neither an iterable nor an async iterable. */
export class SourceNotIterableError extends StreamStoreError {
  constructor(source: string, received: unknown) {
    const kind = received === null ? 'null' : typeof received;
    super(
      `@StreamSource ${source} returned ${kind}, not an iterable: return an array, a generator ` +
        '(function*), an async generator (async function*) or another (async) iterable.',
    );
  }
}
