import { overLimit } from '../changelog/changelog-record-limit.js';
import { StateValueTooLargeError } from '../errors/state-value-too-large.error.js';
import type { StoreBackend, StoredValue } from './backend/store-backend.interface.js';
import { assertKey, compareKeys, inRange, toKeyRange, type KeyRange } from './keys.js';
import { isLive, pendingJson } from './pending-write.js';
import type { EntriesOptions, StateStore } from './state-store.interface.js';
import type { StoreSettings } from './store-settings.js';
import { currentUnitOfWork, type PendingWrite, type UnitOfWork } from './unit-of-work.js';
import { decodeValue, encodeValue } from './value-codec.js';

/**
 * Partition recorded on rows written outside handlers (HTTP endpoints, jobs): no input partition
 * owns them.
 */
export const NO_PARTITION = -1;
const PAGE_SIZE = 500;

/**
 * A state store over samsa's `samsa_state` table. Inside a handler it reads through and writes to
 * the handler's unit of work; outside, each write is its own transaction.
 */
export class SqlStateStore<T> implements StateStore<T> {
  /**
   * Writes made outside handlers, counted when done: a batch's prefetched rows older than the
   * last of them are read again, so an HTTP write shows in the batch as it did before prefetching.
   */
  private outsideWrites = 0;

  /**
   * `valueLimit`: the most bytes of key and value a write in a handler may take (its changelog
   * record's limit); undefined when the store has no changelog.
   */
  constructor(
    private readonly settings: StoreSettings,
    private readonly backend: () => Promise<StoreBackend>,
    private readonly valueLimit: () => number | undefined = () => undefined,
  ) {}

  get name(): string {
    return this.settings.name;
  }

  async get(key: string): Promise<T | undefined> {
    assertKey(key);
    const found = this.jsonOf(key, Date.now(), currentUnitOfWork.getStore());
    const json = found instanceof Promise ? await found : found;
    return json === undefined ? undefined : decodeValue<T>(json);
  }

  async set(key: string, value: T): Promise<void> {
    assertKey(key);
    const work = currentUnitOfWork.getStore();
    if (work) return this.stage(work, key, value);
    const stored = this.encode(key, value, Date.now());
    const backend = await this.backend();
    await this.outside(() =>
      backend.write({
        store: this.name,
        partition: NO_PARTITION,
        upserts: [{ key, ...stored }],
        deletes: [],
      }),
    );
  }

  async delete(key: string): Promise<boolean> {
    assertKey(key);
    const work = currentUnitOfWork.getStore();
    if (!work) {
      const backend = await this.backend();
      return this.outside(() => backend.remove(this.name, key, Date.now()));
    }
    const existed = await this.has(key);
    work.write(this.name, key, { deleted: true });
    return existed;
  }

  async has(key: string): Promise<boolean> {
    assertKey(key);
    const found = this.jsonOf(key, Date.now(), currentUnitOfWork.getStore());
    return (found instanceof Promise ? await found : found) !== undefined;
  }

  async getMany(keys: readonly string[]): Promise<Map<string, T>> {
    keys.forEach((key) => assertKey(key));
    const now = Date.now();
    const work = currentUnitOfWork.getStore();
    const found = new Map<string, string>();
    const missing: string[] = [];
    for (const key of new Set(keys)) {
      const pending = work?.read(this.name, key);
      if (!pending) missing.push(key);
      else if (isLive(pending, now)) found.set(key, pendingJson(pending));
    }
    if (missing.length > 0) {
      for (const [key, json] of await this.stored(missing, now, work)) found.set(key, json);
    }
    const values = new Map<string, T>();
    for (const key of keys) {
      const json = found.get(key);
      if (json !== undefined) values.set(key, decodeValue<T>(json));
    }
    return values;
  }

  async update(key: string, fn: (previous: T | undefined) => T | undefined): Promise<T | undefined> {
    assertKey(key);
    const work = currentUnitOfWork.getStore();
    if (work) {
      const now = Date.now();
      const found = this.jsonOf(key, now, work);
      let json = found instanceof Promise ? await found : found;
      if (found instanceof Promise) {
        // Another update of this key (the handler's own concurrent calls) may have staged a write
        // while this one read: build on it, so that no update is lost. From here on nothing awaits.
        const staged = work.read(this.name, key);
        if (staged) json = isLive(staged, now) ? pendingJson(staged) : undefined;
      }
      const next = checkedUpdate(fn, json === undefined ? undefined : decodeValue<T>(json));
      if (next === undefined) work.write(this.name, key, { deleted: true });
      else this.stage(work, key, next);
      return next;
    }
    const now = Date.now();
    const backend = await this.backend();
    let next: T | undefined;
    await this.outside(() =>
      backend.update(this.name, key, NO_PARTITION, now, (current) => {
        next = checkedUpdate(fn, current === undefined ? undefined : decodeValue<T>(current));
        return next === undefined ? undefined : this.encode(key, next, now);
      }),
    );
    return next;
  }

  async *entries(options: EntriesOptions = {}): AsyncIterable<[string, T]> {
    const range = toKeyRange(options);
    const { limit = Infinity, reverse = false } = options;
    if (limit !== Infinity && (!Number.isSafeInteger(limit) || limit < 0)) {
      throw new RangeError(`entries(): limit must be a whole number of entries, 0 or more; got ${limit}.`);
    }
    const now = Date.now();
    const pending = this.pendingIn(range, reverse);
    const pageSize = Math.max(1, Math.min(PAGE_SIZE, limit + pending.length));
    const merged = mergeSorted(this.scan(range, reverse, pageSize, now), pending, reverse, now);
    let produced = 0;
    for await (const [key, json] of merged) {
      if (produced++ >= limit) return;
      yield [key, decodeValue<T>(json)];
    }
  }

  async count(): Promise<number> {
    const now = Date.now();
    const pending = currentUnitOfWork.getStore()?.pendingOf(this.name);
    const backend = await this.backend();
    const stored = await backend.count(this.name, now);
    if (!pending?.size) return stored;
    const replaced = (await backend.read(this.name, [...pending.keys()], now)).size;
    return stored - replaced + [...pending.values()].filter((write) => isLive(write, now)).length;
  }

  async clear(): Promise<void> {
    const work = currentUnitOfWork.getStore();
    if (!work) {
      const backend = await this.backend();
      return this.outside(() => backend.clear(this.name));
    }
    for await (const [key] of this.entries()) work.write(this.name, key, { deleted: true });
  }

  /**
   * The live value (JSON text) of one key. Answered without waiting (no promise, which costs on
   * every record with async context on) from the handler's writes or the batch's loaded rows.
   */
  private jsonOf(
    key: string,
    now: number,
    work?: UnitOfWork,
  ): string | undefined | Promise<string | undefined> {
    if (work) {
      const pending = work.read(this.name, key);
      if (pending) return isLive(pending, now) ? pendingJson(pending) : undefined;
      const loaded = work.reads.loaded(this.name, this.outsideWrites);
      const row = loaded instanceof Promise ? undefined : loaded?.get(key);
      if (row !== undefined) return isLiveRow(row, now) ? row.value : undefined;
    }
    return this.stored([key], now, work).then((found) => found.get(key));
  }

  /**
   * Live stored values (JSON text) of keys without pending writes. In a handler, reading one of
   * the batch's record keys first loads all of them in one query; other keys are read as asked.
   */
  private async stored(keys: string[], now: number, work?: UnitOfWork): Promise<Map<string, string>> {
    const backend = await this.backend();
    const reads = work?.reads;
    let loaded = reads?.loaded(this.name, this.outsideWrites);
    if (reads && !loaded && reads.worthLoading(keys)) {
      const batchKeys = [...new Set([...reads.recordKeys(), ...keys])];
      loaded = reads.load(this.name, this.outsideWrites, batchKeys, backend.read(this.name, batchKeys, now));
    }
    const rows = (await loaded) ?? new Map<string, StoredValue | null>();
    const found = new Map<string, string>();
    const unread: string[] = [];
    for (const key of keys) {
      const row = rows.get(key);
      if (row === undefined) unread.push(key);
      else if (isLiveRow(row, now)) found.set(key, row.value);
    }
    if (unread.length > 0) {
      for (const [key, row] of await backend.read(this.name, unread, now)) found.set(key, row.value);
    }
    return found;
  }

  /** Runs a write made outside handlers, counting it (see `outsideWrites`). */
  private async outside<R>(write: () => Promise<R>): Promise<R> {
    try {
      return await write();
    } finally {
      this.outsideWrites++;
    }
  }

  /**
   * Stages a write in the handler's unit of work, serialised and measured now so that a bad or
   * too large value fails the handler (retried, dead-lettered), not the batch's commit.
   */
  private stage(work: UnitOfWork, key: string, value: T): void {
    const { value: json, expiresAt } = this.encode(key, value, Date.now());
    const limit = this.valueLimit();
    const size = limit === undefined ? undefined : overLimit(key, json, limit);
    if (limit !== undefined && size !== undefined)
      throw new StateValueTooLargeError(this.name, key, size, limit);
    work.write(this.name, key, { deleted: false, value, json, expiresAt: expiresAt ?? undefined });
  }

  private encode(key: string, value: unknown, now: number): StoredValue {
    const { ttlMs } = this.settings;
    return {
      value: encodeValue(this.settings, key, value),
      expiresAt: ttlMs === undefined ? null : now + ttlMs,
    };
  }

  /** The handler's pending writes within `range`, in scan order. */
  private pendingIn(range: KeyRange, reverse: boolean): Array<[string, PendingWrite]> {
    const pending = currentUnitOfWork.getStore()?.pendingOf(this.name);
    if (!pending) return [];
    const direction = reverse ? -1 : 1;
    return [...pending]
      .filter(([key]) => inRange(key, range))
      .sort(([a], [b]) => compareKeys(a, b) * direction);
  }

  /** The table's live entries in `range`, a page at a time (keyset paging: not one snapshot). */
  private async *scan(
    range: KeyRange,
    reverse: boolean,
    limit: number,
    now: number,
  ): AsyncIterable<[string, string]> {
    const backend = await this.backend();
    let page = range;
    for (;;) {
      const rows = await backend.scan(this.name, { range: page, reverse, limit }, now);
      yield* rows;
      if (rows.length < limit) return;
      const last = { key: rows[rows.length - 1][0], inclusive: false };
      page = reverse ? { ...page, upper: last } : { ...page, lower: last };
    }
  }
}

/** Table entries with the pending writes laid over them, both in scan order. */
async function* mergeSorted(
  table: AsyncIterable<[string, string]>,
  pending: Array<[string, PendingWrite]>,
  reverse: boolean,
  now: number,
): AsyncIterable<[string, string]> {
  const overridden = new Set(pending.map(([key]) => key));
  const comesFirst = (a: string, b: string) => compareKeys(a, b) * (reverse ? -1 : 1) < 0;
  let next = 0;
  function* pendingBefore(key?: string): Iterable<[string, string]> {
    while (next < pending.length && (key === undefined || comesFirst(pending[next][0], key))) {
      const [pendingKey, write] = pending[next++];
      if (isLive(write, now)) yield [pendingKey, pendingJson(write)];
    }
  }
  for await (const entry of table) {
    if (overridden.has(entry[0])) continue;
    yield* pendingBefore(entry[0]);
    yield entry;
  }
  yield* pendingBefore();
}

/** Whether a loaded row (null: none) holds a live value at `now`. */
function isLiveRow(row: StoredValue | null, now: number): row is StoredValue {
  return row !== null && (row.expiresAt === null || row.expiresAt > now);
}

function checkedUpdate<T>(
  fn: (previous: T | undefined) => T | undefined,
  previous: T | undefined,
): T | undefined {
  const next = fn(previous);
  if (next instanceof Promise) {
    throw new TypeError(
      'update() needs a synchronous function: read, compute, then set() for asynchronous work.',
    );
  }
  return next;
}
