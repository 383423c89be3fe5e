/** Bounds and order of a scan; keys compare as strings in binary (UTF-8 byte) order. */
export interface EntriesOptions {
  prefix?: string;
  gt?: string;
  gte?: string;
  lt?: string;
  lte?: string;
  limit?: number;
  reverse?: boolean;
}

/**
 * A named key-value state store, persisted through TypeORM. Inside a `@StreamHandler` its writes
 * join the handler's unit of work (flushed with the consumed offsets in one transaction); outside
 * handlers each write is its own transaction.
 */
export interface StateStore<T> {
  readonly name: string;
  get(key: string): Promise<T | undefined>;
  set(key: string, value: T): Promise<void>;
  /** Resolves true when the key existed. */
  delete(key: string): Promise<boolean>;
  has(key: string): Promise<boolean>;
  getMany(keys: readonly string[]): Promise<Map<string, T>>;
  /** Atomic per key: `fn` gets the current value; returning undefined deletes the key. */
  update(key: string, fn: (previous: T | undefined) => T | undefined): Promise<T | undefined>;
  entries(options?: EntriesOptions): AsyncIterable<[string, T]>;
  count(): Promise<number>;
  clear(): Promise<void>;
}
