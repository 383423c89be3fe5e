import type { EntriesOptions, StateStore } from '../store/state-store.interface.js';
import { currentUnitOfWork } from '../store/unit-of-work.js';
import type { StoreInputs } from './store-inputs.js';
import type { StreamMetadata } from './stream-metadata.js';

/**
 * A state store whose key reads outside handlers (HTTP endpoints, jobs) are refused with
 * `KeyNotOwnedError` when another instance owns the key's partition, instead of answering from a
 * possibly stale local copy; with `refuse` false it only learns. Handlers always read their own
 * partitions' state and pass straight through; their writes teach `StoreInputs` where the
 * store's keys come from. Scans (`entries`, `count`) read the local copy as it is.
 */
export class OwnerCheckedStore<T> implements StateStore<T> {
  constructor(
    private readonly store: StateStore<T>,
    private readonly metadata: StreamMetadata,
    private readonly inputs: StoreInputs,
    private readonly refuse: boolean,
  ) {}

  get name(): string {
    return this.store.name;
  }

  get(key: string): Promise<T | undefined> {
    const check = this.checkRead([key]);
    return check ? check.then(() => this.store.get(key)) : this.store.get(key);
  }

  has(key: string): Promise<boolean> {
    const check = this.checkRead([key]);
    return check ? check.then(() => this.store.has(key)) : this.store.has(key);
  }

  getMany(keys: readonly string[]): Promise<Map<string, T>> {
    const check = this.checkRead(keys);
    return check ? check.then(() => this.store.getMany(keys)) : this.store.getMany(keys);
  }

  set(key: string, value: T): Promise<void> {
    this.noteWrite();
    return this.store.set(key, value);
  }

  delete(key: string): Promise<boolean> {
    this.noteWrite();
    return this.store.delete(key);
  }

  update(key: string, fn: (previous: T | undefined) => T | undefined): Promise<T | undefined> {
    this.noteWrite();
    return this.store.update(key, fn);
  }

  entries(options?: EntriesOptions): AsyncIterable<[string, T]> {
    return this.store.entries(options);
  }

  count(): Promise<number> {
    return this.store.count();
  }

  clear(): Promise<void> {
    this.noteWrite();
    return this.store.clear();
  }

  /** Undefined when nothing is to check: handlers' reads cost no extra promise. */
  private checkRead(keys: readonly string[]): Promise<void> | undefined {
    if (!this.refuse || currentUnitOfWork.getStore()) return undefined;
    return (async () => {
      for (const key of new Set(keys)) await this.metadata.assertOwned(this.name, key);
    })();
  }

  private noteWrite(): void {
    const work = currentUnitOfWork.getStore();
    if (work) this.inputs.noteWrite(this.name, work);
  }
}
