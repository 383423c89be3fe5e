import { describe, expect, it } from 'vitest';
import { BatchReads } from './batch-reads.js';

const recordsWith = (...keys: Array<string | Buffer | null>) =>
  keys.map((key) => ({ key: typeof key === 'string' ? Buffer.from(key) : key }));

describe('BatchReads', () => {
  it('takes the distinct record keys that can be store keys', () => {
    const reads = new BatchReads(recordsWith('a', null, 'b', 'a', 'x\0y', Buffer.from([0xed, 0xa0, 0x80])));
    expect([...reads.recordKeys()]).toEqual(['a', 'b', '\ufffd\ufffd\ufffd']);
    expect(reads.worthLoading(['z', 'b'])).toBe(true);
    expect(reads.worthLoading(['z'])).toBe(false);
  });

  it('keeps loaded rows per store, null for keys without a row, settled once read', async () => {
    const reads = new BatchReads(recordsWith('a', 'b'));
    const found = new Map([['a', { value: '1', expiresAt: null }]]);
    const loading = reads.load('s', 0, ['a', 'b'], Promise.resolve(found));
    expect(reads.loaded('s', 0)).toBe(loading);
    expect(reads.loaded('other', 0)).toBeUndefined();
    const rows = await loading;
    expect([...rows]).toEqual([
      ['a', { value: '1', expiresAt: null }],
      ['b', null],
    ]);
    expect(reads.loaded('s', 0)).toBe(rows);
  });

  it('forgets rows read before a later write outside handlers, and failed reads', async () => {
    const reads = new BatchReads(recordsWith('a'));
    await reads.load('s', 0, ['a'], Promise.resolve(new Map()));
    expect(reads.loaded('s', 1)).toBeUndefined();

    const failed = reads.load('s', 1, ['a'], Promise.reject(new Error('database gone')));
    await expect(failed).rejects.toThrow('database gone');
    expect(reads.loaded('s', 1)).toBeUndefined();
  });
});
