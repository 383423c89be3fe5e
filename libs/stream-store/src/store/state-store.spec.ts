import 'reflect-metadata';
import { IsInt, IsString, Min } from 'class-validator';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { describePostgres } from '../../../../test/support/postgres.js';
import { StaleAssignmentError } from '../errors/stale-assignment.error.js';
import type { StoreConnectionOptions } from '../interfaces/stream-store-options.interface.js';
import { resolveOptions } from '../options/resolve-options.js';
import { InvalidStateValueError } from '../errors/invalid-state-value.error.js';
import type { OffsetLedger } from './offset-ledger.interface.js';
import type { EntriesOptions, StateStore } from './state-store.interface.js';
import type { StoreFeature } from './store-feature.interface.js';
import { StoreRuntime } from './store-runtime.js';
import { currentUnitOfWork, UnitOfWork } from './unit-of-work.js';

class Counter {
  @IsString()
  label!: string;

  @IsInt()
  @Min(0)
  count!: number;
}

interface ContractDatabase {
  /** Connection options of samsa's own DataSource. */
  store: StoreConnectionOptions;
  /** An application's DataSource, not yet initialized. */
  dataSource(): DataSource;
  /** `samsa_state` as the application's DataSource names it. */
  stateTable: string;
}

const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

async function collect<T>(iterable: AsyncIterable<[string, T]>): Promise<Array<[string, T]>> {
  const entries: Array<[string, T]> = [];
  for await (const entry of iterable) entries.push(entry);
  return entries;
}

/** The StateStore and OffsetLedger contract, run against each database. */
function describeStateStoreContract(database: () => ContractDatabase): void {
  let runtime: StoreRuntime;
  let sequence = 0;
  const unique = (prefix: string) => `${prefix}${++sequence}`;
  const declare = <T>(feature: Partial<StoreFeature> = {}) =>
    runtime.declare({ name: unique('store-'), ...feature }) as StateStore<T>;
  const ledger = async (): Promise<OffsetLedger> => {
    const found = await runtime.ledger();
    if (!found) throw new Error('no ledger');
    return found;
  };
  const inHandler = <R>(work: UnitOfWork, fn: () => Promise<R>) => currentUnitOfWork.run(work, fn);
  /** Writes entries the fast way: one committed unit of work. */
  const seed = async (store: StateStore<unknown>, entries: Array<[string, unknown]>) => {
    const work = new UnitOfWork(0);
    for (const [key, value] of entries) work.write(store.name, key, { deleted: false, value });
    work.keepRecord();
    await (await ledger()).commit(unique('seed-'), { topic: 't', partition: 0 }, undefined, '1', work);
  };

  beforeAll(() => {
    runtime = new StoreRuntime(resolveOptions({ brokers: 'localhost:9092', store: database().store }));
  });
  afterAll(() => runtime?.close());
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('get, set, has, delete', () => {
    it('round-trips JSON values, as fresh copies', async () => {
      const store = declare<{ a: number[] }>();
      expect(await store.get('k')).toBeUndefined();
      const value = { a: [1, 2] };
      await store.set('k', value);
      value.a.push(3);
      const read = await store.get('k');
      expect(read).toEqual({ a: [1, 2] });
      expect(await store.get('k')).not.toBe(read);
      await store.set('k', { a: [] });
      expect(await store.get('k')).toEqual({ a: [] });
    });

    it('stores what JSON keeps', async () => {
      const store = declare<unknown>();
      await store.set('date', new Date(0));
      await store.set('null', null);
      await store.set('text', 'x');
      expect(await store.getMany(['date', 'null', 'text'])).toEqual(
        new Map<string, unknown>([
          ['date', '1970-01-01T00:00:00.000Z'],
          ['null', null],
          ['text', 'x'],
        ]),
      );
    });

    it('rejects values JSON cannot hold, and bad keys', async () => {
      const store = declare<unknown>();
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      await expect(store.set('k', undefined)).rejects.toThrow(/is undefined; use delete\(\)/);
      await expect(store.set('k', 1n)).rejects.toBeInstanceOf(InvalidStateValueError);
      await expect(store.set('k', circular)).rejects.toThrow(/not JSON-serialisable/);
      await expect(store.set('a\0b', 1)).rejects.toThrow(/State store keys are strings/);
      expect(await store.has('k')).toBe(false);
    });

    it('deletes, telling whether the key existed', async () => {
      const store = declare<number>();
      await store.set('k', 1);
      expect(await store.has('k')).toBe(true);
      expect(await store.delete('k')).toBe(true);
      expect(await store.delete('k')).toBe(false);
      expect(await store.has('k')).toBe(false);
      expect(await store.get('k')).toBeUndefined();
    });

    it('keeps stores apart', async () => {
      const [one, two] = [declare<number>(), declare<number>()];
      await one.set('k', 1);
      await two.set('k', 2);
      await one.clear();
      expect(await one.get('k')).toBeUndefined();
      expect(await two.get('k')).toBe(2);
      expect(await two.count()).toBe(1);
    });

    it('getMany returns the keys found, in the order asked', async () => {
      const store = declare<number>();
      await seed(store, [
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ]);
      const found = await store.getMany(['c', 'x', 'a', 'c']);
      expect([...found]).toEqual([
        ['c', 3],
        ['a', 1],
      ]);
      expect(await store.getMany([])).toEqual(new Map());
    });

    it('counts and clears', async () => {
      const store = declare<number>();
      await seed(
        store,
        Array.from({ length: 700 }, (_, i) => [`k${i}`, i]),
      );
      expect(await store.count()).toBe(700);
      await store.clear();
      expect(await store.count()).toBe(0);
    });
  });

  describe('entries', () => {
    const keys = [
      '',
      'a',
      'B',
      'b',
      'ab',
      'a\u0001',
      'é',
      'ä',
      '\uffff',
      '😀',
      'z',
      'user:1',
      'user:10',
      'user:2',
      'user;',
    ];
    let store: StateStore<number>;
    const scan = async (options?: EntriesOptions) =>
      (await collect(store.entries(options))).map(([key]) => key);
    const sorted = [...keys].sort(byUtf8);

    beforeAll(async () => {
      store = declare<number>();
      await seed(
        store,
        keys.map((key, i) => [key, i]),
      );
    });

    it('lists every entry in UTF-8 byte order', async () => {
      const entries = await collect(store.entries());
      expect(entries.map(([key]) => key)).toEqual(sorted);
      expect(entries.find(([key]) => key === 'é')).toEqual(['é', keys.indexOf('é')]);
      expect(await scan({ reverse: true })).toEqual([...sorted].reverse());
    });

    it('applies prefix, bounds, limit and reverse together', async () => {
      expect(await scan({ prefix: 'user:' })).toEqual(['user:1', 'user:10', 'user:2']);
      expect(await scan({ prefix: 'user:', reverse: true, limit: 2 })).toEqual(['user:2', 'user:10']);
      expect(await scan({ gt: 'a', lt: 'b' })).toEqual(['a\u0001', 'ab']);
      expect(await scan({ gte: 'a', lte: 'b' })).toEqual(['a', 'a\u0001', 'ab', 'b']);
      expect(await scan({ gte: 'é', lte: '😀' })).toEqual(['é', '\uffff', '😀']);
      expect(await scan({ gt: '\uffff' })).toEqual(['😀']);
      expect(await scan({ prefix: 'user:', gt: 'user:1' })).toEqual(['user:10', 'user:2']);
      expect(await scan({ limit: 3 })).toEqual(sorted.slice(0, 3));
      expect(await scan({ limit: 0 })).toEqual([]);
      expect(await scan({ gt: 'z', lt: 'a' })).toEqual([]);
    });

    it('rejects a bad limit', async () => {
      await expect(scan({ limit: -1 })).rejects.toThrow(/limit must be a whole number/);
    });

    it('pages through large stores', async () => {
      const big = declare<number>();
      const many = Array.from({ length: 1_234 }, (_, i): [string, number] => [
        `k${String(i).padStart(5, '0')}`,
        i,
      ]);
      await seed(big, many);
      const all = await collect(big.entries());
      expect(all).toEqual(many);
      expect((await collect(big.entries({ reverse: true, gte: 'k00100' }))).length).toBe(1_134);
      expect((await collect(big.entries({ limit: 600 }))).at(-1)).toEqual(['k00599', 599]);
    });
  });

  describe('update', () => {
    it('creates, changes and deletes a key', async () => {
      const store = declare<number>();
      expect(await store.update('n', (n) => (n ?? 0) + 1)).toBe(1);
      expect(await store.update('n', (n) => (n ?? 0) + 1)).toBe(2);
      expect(await store.get('n')).toBe(2);
      expect(await store.update('n', () => undefined)).toBeUndefined();
      expect(await store.has('n')).toBe(false);
      expect(await store.update('missing', (n) => n)).toBeUndefined();
    });

    it('loses no increment under concurrency, outside handlers', async () => {
      const store = declare<number>();
      const increment = () => store.update('n', (n) => (n ?? 0) + 1);
      await Promise.all(Array.from({ length: 50 }, increment));
      expect(await store.get('n')).toBe(50);
      await Promise.all(Array.from({ length: 50 }, increment));
      expect(await store.get('n')).toBe(100);
    });

    it('loses no increment under concurrency inside a handler, for record keys and other keys', async () => {
      const store = declare<number>();
      await seed(store, [
        ['rk', 5],
        ['other', 7],
      ]);
      const work = new UnitOfWork(0, [{ key: Buffer.from('rk') }]);
      await inHandler(work, async () => {
        for (const key of ['rk', 'other', 'fresh']) {
          const increment = () => store.update(key, (n) => (n ?? 0) + 1);
          await Promise.all(Array.from({ length: 10 }, increment));
        }
      });
      work.keepRecord();
      await (await ledger()).commit(unique('g-'), { topic: 't', partition: 0 }, undefined, '1', work);
      expect(await store.getMany(['rk', 'other', 'fresh'])).toEqual(
        new Map([
          ['rk', 15],
          ['other', 17],
          ['fresh', 10],
        ]),
      );
    });

    it('leaves the value as it was when fn throws', async () => {
      const store = declare<number>();
      await store.set('n', 1);
      await expect(
        store.update('n', () => {
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      await expect(store.update('n', (async () => 2) as never)).rejects.toThrow(/synchronous function/);
      expect(await store.get('n')).toBe(1);
    });
  });

  describe('valueClass', () => {
    it('validates every written value, stripping unknown properties', async () => {
      const store = declare<Counter>({ valueClass: Counter });
      await store.set('ok', { label: 'a', count: 1, extra: true } as Counter);
      expect(await store.get('ok')).toEqual({ label: 'a', count: 1 });
      const bad = store.set('bad', { label: 'a', count: -1 });
      await expect(bad).rejects.toBeInstanceOf(InvalidStateValueError);
      await expect(store.set('bad', { label: 'a', count: -1 })).rejects.toThrow(
        /does not match Counter \(count: /,
      );
      await expect(store.set('bad', 'text' as never)).rejects.toThrow(/does not match Counter/);
      await expect(store.update('ok', (c) => ({ label: c?.label ?? '', count: 1.5 }))).rejects.toThrow(
        /count/,
      );
      expect(await store.get('ok')).toEqual({ label: 'a', count: 1 });
      expect(await store.has('bad')).toBe(false);
    });

    it('fails the record in a handler, not the commit', async () => {
      const store = declare<Counter>({ valueClass: Counter });
      const work = new UnitOfWork(0);
      await expect(inHandler(work, () => store.set('bad', { label: 1 } as never))).rejects.toBeInstanceOf(
        InvalidStateValueError,
      );
      expect(work.pendingOf(store.name).size).toBe(0);
    });
  });

  describe('ttl', () => {
    it('hides expired keys from every read at once', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const store = declare<number>({ ttl: '10s' });
      const forever = declare<number>();
      await store.set('a', 1);
      await store.update('b', () => 2);
      await forever.set('a', 1);
      const work = new UnitOfWork(3);
      await inHandler(work, () => store.set('c', 3));
      work.keepRecord();
      await (await ledger()).commit(unique('g'), { topic: 't', partition: 3 }, undefined, '1', work);
      expect(await store.count()).toBe(3);

      vi.setSystemTime(Date.now() + 9_000);
      expect(await store.get('a')).toBe(1);
      vi.setSystemTime(Date.now() + 1_001);
      expect(await store.get('a')).toBeUndefined();
      expect(await store.has('b')).toBe(false);
      expect(await store.getMany(['a', 'b', 'c'])).toEqual(new Map());
      expect(await collect(store.entries())).toEqual([]);
      expect(await store.count()).toBe(0);
      expect(await store.update('a', (n) => (n ?? 10) + 1)).toBe(11);
      expect(await store.delete('b')).toBe(false);
      expect(await forever.get('a')).toBe(1);

      const expired = await runtime.deleteExpired();
      expect(expired.filter((row) => row.store === store.name)).toEqual([
        { store: store.name, key: 'c', partition: 3 },
      ]);
      expect(await store.get('a')).toBe(11);
    });

    it('applies to pending writes in a handler', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const store = declare<number>({ ttl: 1_000 });
      const work = new UnitOfWork(0);
      await inHandler(work, async () => {
        await store.set('a', 1);
        expect(await store.get('a')).toBe(1);
        vi.setSystemTime(Date.now() + 1_000);
        expect(await store.get('a')).toBeUndefined();
        expect(await store.count()).toBe(0);
      });
    });
  });

  describe('in a handler (unit of work)', () => {
    it('reads its own writes and deletes before the commit', async () => {
      const store = declare<number>();
      await seed(store, [
        ['a', 1],
        ['b', 2],
      ]);
      const work = new UnitOfWork(5);
      await inHandler(work, async () => {
        await store.set('c', 3);
        expect(await store.delete('a')).toBe(true);
        expect(await store.delete('a')).toBe(false);
        expect(await store.update('b', (n) => (n ?? 0) + 10)).toBe(12);
        expect(await store.get('a')).toBeUndefined();
        expect(await store.has('a')).toBe(false);
        expect(await store.get('c')).toBe(3);
        expect([...(await store.getMany(['a', 'b', 'c']))]).toEqual([
          ['b', 12],
          ['c', 3],
        ]);
      });
      // Nothing reached the table yet.
      expect([...(await store.getMany(['a', 'b', 'c']))]).toEqual([
        ['a', 1],
        ['b', 2],
      ]);
      work.keepRecord();
      await (await ledger()).commit(unique('g'), { topic: 't', partition: 5 }, undefined, '10', work);
      expect([...(await store.getMany(['a', 'b', 'c']))]).toEqual([
        ['b', 12],
        ['c', 3],
      ]);
    });

    it('merges pending writes into entries and count', async () => {
      const store = declare<number>();
      await seed(store, [
        ['b', 1],
        ['d', 2],
        ['f', 3],
        ['h', 4],
      ]);
      const work = new UnitOfWork(0);
      await inHandler(work, async () => {
        await store.set('a', 10);
        await store.set('d', 20);
        await store.delete('f');
        await store.set('g', 30);
        await store.set('z', 40);
        await store.delete('z');
        expect(await collect(store.entries())).toEqual([
          ['a', 10],
          ['b', 1],
          ['d', 20],
          ['g', 30],
          ['h', 4],
        ]);
        expect((await collect(store.entries({ reverse: true, limit: 3 }))).map(([key]) => key)).toEqual([
          'h',
          'g',
          'd',
        ]);
        expect((await collect(store.entries({ gt: 'b', lte: 'g' }))).map(([key]) => key)).toEqual(['d', 'g']);
        expect(await store.count()).toBe(5);
      });
      expect(await store.count()).toBe(4);
    });

    it('drops the writes of a failed record', async () => {
      const store = declare<number>();
      const work = new UnitOfWork(0);
      await inHandler(work, () => store.set('kept', 1));
      work.keepRecord();
      await inHandler(work, async () => {
        await store.set('dropped', 2);
        await store.delete('kept');
        expect(await store.has('kept')).toBe(false);
      });
      work.discardRecord();
      await inHandler(work, async () => {
        expect(await store.get('kept')).toBe(1);
        expect(await store.has('dropped')).toBe(false);
      });
      await (await ledger()).commit(unique('g'), { topic: 't', partition: 0 }, undefined, '2', work);
      expect(await collect(store.entries())).toEqual([['kept', 1]]);
    });

    it('clears within the unit of work', async () => {
      const store = declare<number>();
      await seed(store, [
        ['a', 1],
        ['b', 2],
      ]);
      const work = new UnitOfWork(0);
      await inHandler(work, async () => {
        await store.set('c', 3);
        await store.clear();
        expect(await store.count()).toBe(0);
      });
      expect(await store.count()).toBe(2);
      work.keepRecord();
      await (await ledger()).commit(unique('g'), { topic: 't', partition: 0 }, undefined, '1', work);
      expect(await store.count()).toBe(0);
    });
  });

  describe("a batch's record keys, read once per store", () => {
    /** A batch's unit of work whose records have these Kafka keys. */
    const batchOf = (...keys: Array<string | Buffer | null>) =>
      new UnitOfWork(
        0,
        keys.map((key) => ({ key: typeof key === 'string' ? Buffer.from(key) : key })),
      );
    const spyReads = async () => vi.spyOn(await runtime.journal(), 'read');
    afterEach(() => {
      vi.restoreAllMocks();
    });

    it('loads every record key with the first read of one, then reads other keys as asked', async () => {
      const store = declare<number>();
      await seed(store, [
        ['a', 1],
        ['b', 2],
        ['other', 9],
      ]);
      const reads = await spyReads();
      const work = batchOf('a', 'b', 'a', 'c');
      await inHandler(work, async () => {
        const [a, b] = await Promise.all([store.get('a'), store.get('b')]);
        expect([a, b]).toEqual([1, 2]);
        expect(await store.has('c')).toBe(false);
        expect(reads).toHaveBeenCalledTimes(1);
        expect(reads.mock.calls[0][1]).toEqual(['a', 'b', 'c']);
        expect(await store.get('other')).toBe(9);
        expect(await store.get('missing')).toBeUndefined();
      });
      expect(reads.mock.calls.slice(1).map((call) => call[1])).toEqual([['other'], ['missing']]);
    });

    it('reads as asked when no record key is read', async () => {
      const store = declare<number>();
      await seed(store, [['x', 1]]);
      const reads = await spyReads();
      await inHandler(batchOf('a', 'b'), async () => {
        expect(await store.get('x')).toBe(1);
        expect(await store.get('x')).toBe(1);
      });
      expect(reads.mock.calls.map((call) => call[1])).toEqual([['x'], ['x']]);
    });

    it('skips record keys that cannot be store keys', async () => {
      const store = declare<number>();
      await seed(store, [['a', 1]]);
      const reads = await spyReads();
      const work = batchOf(null, 'a\0b', Buffer.from([0xed, 0xa0, 0x80]), 'a');
      await inHandler(work, async () => expect(await store.get('a')).toBe(1));
      expect(reads.mock.calls[0][1]).toEqual(['\ufffd\ufffd\ufffd', 'a']);
    });

    it('reads its own writes over the loaded values; a failed attempt leaves them as loaded', async () => {
      const store = declare<number>();
      await seed(store, [
        ['a', 1],
        ['b', 2],
      ]);
      const work = batchOf('a', 'b', 'c');
      const increment = () => inHandler(work, () => store.update('a', (n) => (n ?? 0) + 1));
      expect(await increment()).toBe(2);
      work.discardRecord(); // the attempt failed: its retry starts from the loaded value again
      expect(await increment()).toBe(2);
      work.keepRecord();
      expect(await increment()).toBe(3);
      work.keepRecord();
      await inHandler(work, async () => {
        expect(await store.delete('b')).toBe(true);
        expect(await store.has('b')).toBe(false);
        await store.set('c', 30);
      });
      work.discardRecord();
      await inHandler(work, async () => {
        expect(await store.getMany(['a', 'b', 'c'])).toEqual(
          new Map([
            ['a', 3],
            ['b', 2],
          ]),
        );
        expect(await store.delete('b')).toBe(true);
      });
      work.keepRecord();
      await (await ledger()).commit(unique('g'), { topic: 't', partition: 0 }, undefined, '4', work);
      expect(await store.getMany(['a', 'b', 'c'])).toEqual(new Map([['a', 3]]));
    });

    it('lets loaded keys expire while the batch runs', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const store = declare<number>({ ttl: '10s' });
      await store.set('a', 1);
      await store.set('b', 2);
      const work = batchOf('a', 'b');
      vi.setSystemTime(Date.now() + 9_000);
      await inHandler(work, async () => expect(await store.get('a')).toBe(1));
      vi.setSystemTime(Date.now() + 1_001);
      await inHandler(work, async () => {
        expect(await store.get('a')).toBeUndefined();
        expect(await store.update('b', (n) => (n ?? 10) + 1)).toBe(11);
      });
    });

    it('sees writes made outside handlers while the batch runs', async () => {
      const store = declare<number>();
      await seed(store, [['a', 1]]);
      const work = batchOf('a', 'b');
      await inHandler(work, async () => expect(await store.getMany(['a', 'b'])).toEqual(new Map([['a', 1]])));
      await store.set('a', 10);
      await store.update('b', () => 20);
      await inHandler(work, async () =>
        expect(await store.getMany(['a', 'b'])).toEqual(
          new Map([
            ['a', 10],
            ['b', 20],
          ]),
        ),
      );
      await store.delete('a');
      await inHandler(work, async () => expect(await store.has('a')).toBe(false));
      await store.clear();
      await inHandler(work, async () => expect(await store.has('b')).toBe(false));
    });

    it('reads again in the next batch, also after a batch was rolled back', async () => {
      const store = declare<number>();
      const tp = { topic: 't', partition: 0 };
      const group = unique('g');
      const offsets = await ledger();
      await offsets.commit(group, tp, undefined, '1', new UnitOfWork(0));
      const batch = async (from: string, to: string, by: number) => {
        const work = batchOf('a');
        await inHandler(work, () => store.update('a', (n) => (n ?? 0) + by));
        work.keepRecord();
        await offsets.commit(group, tp, from, to, work);
      };
      // A zombie loads 'a' and loses its commit to the new owner, which moved the offset first.
      const zombie = batchOf('a');
      await inHandler(zombie, () => store.update('a', (n) => (n ?? 0) + 100));
      zombie.keepRecord();
      await batch('1', '2', 1);
      await expect(offsets.commit(group, tp, '1', '2', zombie)).rejects.toBeInstanceOf(StaleAssignmentError);
      await batch('2', '3', 1);
      expect(await store.get('a')).toBe(2);
    });
  });

  describe('offset ledger', () => {
    const tp = { topic: 'orders', partition: 2 };
    const workWriting = (store: StateStore<unknown>, key: string) => {
      const work = new UnitOfWork(tp.partition);
      work.write(store.name, key, { deleted: false, value: key });
      work.keepRecord();
      return work;
    };

    it('moves the offset with the state, only from the offset it holds', async () => {
      const store = declare<string>();
      const offsets = await ledger();
      const group = unique('g');
      expect(await offsets.position(group, tp)).toBeUndefined();

      await offsets.commit(group, tp, undefined, '10', workWriting(store, 'first'));
      expect(await offsets.position(group, tp)).toBe('10');
      await offsets.commit(group, tp, '10', '25', workWriting(store, 'second'));
      expect(await offsets.position(group, tp)).toBe('25');
      await offsets.commit(group, tp, '25', '26', new UnitOfWork(tp.partition));
      expect(await offsets.position(group, tp)).toBe('26');

      await expect(offsets.commit(group, tp, '10', '30', workWriting(store, 'stale'))).rejects.toBeInstanceOf(
        StaleAssignmentError,
      );
      await expect(offsets.commit(group, tp, undefined, '30', workWriting(store, 'late'))).rejects.toThrow(
        /another instance owns it now/,
      );
      expect(await offsets.position(group, tp)).toBe('26');
      expect((await collect(store.entries())).map(([key]) => key)).toEqual(['first', 'second']);
      expect(await offsets.position(group, { ...tp, partition: 3 })).toBeUndefined();
    });

    it('keeps 64-bit offsets exact', async () => {
      const offsets = await ledger();
      const group = unique('g');
      await offsets.commit(group, tp, undefined, '9223372036854775000', new UnitOfWork(2));
      await offsets.commit(group, tp, '9223372036854775000', '9223372036854775807', new UnitOfWork(2));
      expect(await offsets.position(group, tp)).toBe('9223372036854775807');
    });

    it('lets exactly one of two rival commits through', async () => {
      const store = declare<string>();
      const offsets = await ledger();
      const group = unique('g');
      await offsets.commit(group, tp, undefined, '5', new UnitOfWork(2));
      const results = await Promise.allSettled([
        offsets.commit(group, tp, '5', '7', workWriting(store, 'x')),
        offsets.commit(group, tp, '5', '9', workWriting(store, 'y')),
      ]);
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      const [rejected] = results.filter((result) => result.status === 'rejected');
      expect(rejected.reason).toBeInstanceOf(StaleAssignmentError);
      expect(await store.count()).toBe(1);
      expect(['7', '9']).toContain(await offsets.position(group, tp));
    });

    it('rolls everything back when the database fails mid-commit', async () => {
      const store = declare<string>();
      const offsets = await ledger();
      const group = unique('g');
      await offsets.commit(group, tp, undefined, '1', new UnitOfWork(2));
      const work = workWriting(store, 'a');
      // JSON.stringify(undefined) binds NULL: the NOT NULL constraint fails after the offsets moved.
      work.write(store.name, 'b', { deleted: false, value: undefined });
      work.keepRecord();
      const failure = await offsets.commit(group, tp, '1', '2', work).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(Error);
      expect(failure).not.toBeInstanceOf(StaleAssignmentError);
      expect(await offsets.position(group, tp)).toBe('1');
      expect(await store.count()).toBe(0);
    });
  });

  describe('an application DataSource', () => {
    it('is used as it is and left open by close()', async () => {
      const dataSource = database().dataSource();
      await dataSource.initialize();
      const own = new StoreRuntime(resolveOptions({ brokers: 'localhost:9092', store: { dataSource } }));
      try {
        const store = own.declare({ name: 'shared' }) as StateStore<number>;
        await store.set('outside', 1);
        const work = new UnitOfWork(7);
        await inHandler(work, () => store.set('inside', 2));
        work.keepRecord();
        const offsets = await own.ledger();
        await offsets?.commit('app', { topic: 't', partition: 7 }, undefined, '1', work);
        expect(await own.ping()).toBe(true);
        await own.close();

        expect(dataSource.isInitialized).toBe(true);
        const rows: Array<{ key: string; partition: number }> = await dataSource.query(
          `SELECT "key", "partition" FROM ${database().stateTable} WHERE "store" = 'shared' ORDER BY "key"`,
        );
        expect(rows).toEqual([
          { key: 'inside', partition: 7 },
          { key: 'outside', partition: -1 },
        ]);
        await expect(store.get('inside')).rejects.toThrow(/closed/);
      } finally {
        await own.close();
        await dataSource.destroy();
      }
    });
  });
}

describe('StateStore on SQLite', () => {
  const directory = mkdtempSync(join(tmpdir(), 'samsa-store-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  describeStateStoreContract(() => ({
    store: { type: 'sqlite', database: join(directory, 'state.sqlite') },
    dataSource: () => new DataSource({ type: 'better-sqlite3', database: join(directory, 'app.sqlite') }),
    stateTable: 'samsa_state',
  }));
});

describePostgres('StateStore on Postgres', (db) => {
  describeStateStoreContract(() => ({
    store: { type: 'postgres', url: db.url, schema: db.schema },
    dataSource: () => new DataSource({ type: 'postgres', url: db.url, schema: db.schema }),
    stateTable: `"${db.schema}".samsa_state`,
  }));
});
