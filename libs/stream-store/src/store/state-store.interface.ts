/** Bounds and order of a scan; keys compare in binary (UTF-8 byte) order. Bounds combine (AND). */
export interface EntriesOptions {
  /** Only keys starting with this. Default: any. */
  prefix?: string;
  /** Only keys greater than this. */
  gt?: string;
  /** Only keys greater than or equal to this. */
  gte?: string;
  /** Only keys less than this. */
  lt?: string;
  /** Only keys less than or equal to this. */
  lte?: string;
  /** At most this many entries. Default: all. */
  limit?: number;
  /** Descending key order. Default false. */
  reverse?: boolean;
}

/**
 * A named key-value state store, persisted through TypeORM. Inside a `@StreamHandler` its writes
 * join the handler's unit of work (flushed with the consumed offsets in one transaction) and its
 * reads see them; outside handlers each write is its own transaction.
 *
 * Keys are strings (no NUL, no lone surrogates), compared byte-wise as UTF-8, i.e. by code point.
 * Values are JSON: what `JSON.stringify` keeps is what `get` returns, as a fresh copy. With a
 * store `ttl`, a key disappears from reads, scans and counts once it expires.
 */
export interface StateStore<T> {
  readonly name: string;
  get(key: string): Promise<T | undefined>;
  set(key: string, value: T): Promise<void>;
  /** Resolves true when the key existed. */
  delete(key: string): Promise<boolean>;
  has(key: string): Promise<boolean>;
  getMany(keys: readonly string[]): Promise<Map<string, T>>;
  /**
   * Atomic per key: `fn` gets the current value; returning undefined deletes the key. `fn` must be
   * synchronous and free of side effects: when concurrent updates race to create a key, it runs
   * again with the winner's value.
   */
  update(key: string, fn: (previous: T | undefined) => T | undefined): Promise<T | undefined>;
  /** Entries in key order, fetched a page at a time (not one snapshot). */
  entries(options?: EntriesOptions): AsyncIterable<[string, T]>;
  count(): Promise<number>;
  clear(): Promise<void>;
}
