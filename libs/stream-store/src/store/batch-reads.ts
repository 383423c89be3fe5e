import type { StoredValue } from './backend/store-backend.interface.js';
import { isStoreKey } from './keys.js';

/** What prefetching needs of a consumed record: its Kafka key. */
export interface KeyedRecord {
  readonly key: Buffer | null;
}

/** Stored rows by key, as one read found them; null: no live row then. */
export type LoadedRows = ReadonlyMap<string, StoredValue | null>;

interface Load {
  /** The store's count of writes made outside handlers when the read began (see `SqlStateStore`). */
  readonly generation: number;
  readonly rows: Promise<LoadedRows>;
  /** The rows once read: most reads of a batch then need no await. */
  settled?: LoadedRows;
}

/**
 * The stored values of a batch's record keys, read with one query per store the first time a
 * handler of the batch reads one of them. Handlers mostly keep state under their record's key
 * (the record's partition then owns the key), so one query replaces a round trip per record.
 * Lives as long as the batch's unit of work: the next batch, or a batch after a rollback, reads
 * again. Expiry is checked when a row is used, not when it was read.
 */
export class BatchReads {
  private keys?: ReadonlySet<string>;
  private readonly loads = new Map<string, Load>();

  constructor(private readonly records: readonly KeyedRecord[]) {}

  /** The batch's distinct record keys that can be store keys, decoded on first use. */
  recordKeys(): ReadonlySet<string> {
    if (!this.keys) {
      const keys = new Set<string>();
      for (const { key } of this.records) {
        const text = key?.toString('utf8');
        if (isStoreKey(text)) keys.add(text);
      }
      this.keys = keys;
    }
    return this.keys;
  }

  /**
   * The rows loaded for `store` (a promise while the read runs), unless none were or a write
   * outside handlers came since.
   */
  loaded(store: string, generation: number): LoadedRows | Promise<LoadedRows> | undefined {
    const load = this.loads.get(store);
    if (load?.generation !== generation) return undefined;
    return load.settled ?? load.rows;
  }

  /** Whether reading `keys` should load the batch's record keys: one of them is a record key. */
  worthLoading(keys: readonly string[]): boolean {
    const recordKeys = this.recordKeys();
    return keys.some((key) => recordKeys.has(key));
  }

  /** Remembers a read of `keys` (a failed one is forgotten, so the next read tries again). */
  load(
    store: string,
    generation: number,
    keys: readonly string[],
    read: Promise<ReadonlyMap<string, StoredValue>>,
  ): Promise<LoadedRows> {
    const load: Load = {
      generation,
      rows: read.then((found) => {
        const rows = new Map(keys.map((key) => [key, found.get(key) ?? null]));
        load.settled = rows;
        return rows;
      }),
    };
    const { rows } = load;
    this.loads.set(store, load);
    rows.catch(() => {
      if (this.loads.get(store) === load) this.loads.delete(store);
    });
    return rows;
  }
}
