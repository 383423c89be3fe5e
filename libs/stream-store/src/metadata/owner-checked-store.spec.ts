import { describe, expect, it, vi } from 'vitest';
import { KeyNotOwnedError } from '../errors/key-not-owned.error.js';
import type { StateStore } from '../store/state-store.interface.js';
import { currentUnitOfWork, UnitOfWork } from '../store/unit-of-work.js';
import { OwnerCheckedStore } from './owner-checked-store.js';
import { StoreInputs } from './store-inputs.js';
import type { StreamMetadata } from './stream-metadata.js';

/** A store holding `stored`, behind an ownership check where only `owned` keys are this instance's. */
function checkedStore(refuse: boolean, owned: string[]) {
  const stored = new Map([
    ['mine', 1],
    ['theirs', 2],
  ]);
  const store = {
    name: 'counts',
    get: async (key: string) => stored.get(key),
    has: async (key: string) => stored.has(key),
    getMany: async (keys: readonly string[]) =>
      new Map(keys.flatMap((key) => (stored.has(key) ? [[key, stored.get(key) ?? 0]] : []))),
    update: async (key: string, fn: (n: number | undefined) => number | undefined) => fn(stored.get(key)),
  } as Partial<StateStore<number>> as StateStore<number>;
  const assertOwned = vi.fn(async (_store: string, key: string) => {
    if (!owned.includes(key)) throw new KeyNotOwnedError('counts', key, 'events', 1, 'http://owner:1');
  });
  const inputs = new StoreInputs();
  const checked = new OwnerCheckedStore(
    store,
    { assertOwned } as Partial<StreamMetadata> as StreamMetadata,
    inputs,
    refuse,
  );
  return { checked, assertOwned, inputs };
}

describe('OwnerCheckedStore', () => {
  it("refuses reads outside handlers of keys another instance owns, with the owner's URL", async () => {
    const { checked } = checkedStore(true, ['mine']);

    expect(await checked.get('mine')).toBe(1);
    await expect(checked.get('theirs')).rejects.toMatchObject({
      name: 'KeyNotOwnedError',
      url: 'http://owner:1',
    });
    await expect(checked.has('theirs')).rejects.toBeInstanceOf(KeyNotOwnedError);
    await expect(checked.getMany(['mine', 'theirs'])).rejects.toBeInstanceOf(KeyNotOwnedError);
    expect(await checked.getMany(['mine'])).toEqual(new Map([['mine', 1]]));
  });

  it('answers from the local copy with remoteReads allowed (and on Postgres)', async () => {
    const { checked, assertOwned } = checkedStore(false, ['mine']);
    expect(await checked.get('theirs')).toBe(2);
    expect(assertOwned).not.toHaveBeenCalled();
  });

  it("never checks handlers' reads (their partitions are theirs), and learns the store's input from their writes", async () => {
    const { checked, assertOwned, inputs } = checkedStore(true, []);
    const work = Object.assign(new UnitOfWork(3), { source: { group: 'g', topic: 'p.events' } });

    await currentUnitOfWork.run(work, async () => {
      expect(await checked.get('theirs')).toBe(2);
      await checked.update('theirs', (n) => (n ?? 0) + 1);
    });
    expect(assertOwned).not.toHaveBeenCalled();
    expect(inputs.of('counts')).toEqual([{ group: 'g', topic: 'p.events' }]);
  });
});
