import { StreamStoreError } from './stream-store.error.js';

/**
 * A read outside handlers of a key whose partition another instance owns: this instance's copy
 * may be behind (a warm copy kept since it last owned the partition). Ask the owner instead:
 * `url` is what it advertises (`forRoot({ advertisedUrl })`), undefined when it advertises none.
 */
export class KeyNotOwnedError extends StreamStoreError {
  constructor(
    readonly store: string,
    readonly key: string,
    readonly topic: string,
    readonly partition: number,
    readonly url: string | undefined,
  ) {
    super(
      `State store "${store}": key ${JSON.stringify(key)} belongs to ${topic}[${partition}], which another ` +
        `instance owns${url === undefined ? ' (it advertises no URL: set forRoot({ advertisedUrl }) on every instance)' : ` at ${url}`}; ` +
        "this instance's copy may be stale. Send the query to the owner (StreamMetadata.ownerOf() tells where), " +
        "or declare the store with remoteReads: 'allow' to read possibly stale local copies.",
      // The owner may change at the next rebalance: asking again may succeed.
      { retriable: true },
    );
  }
}
