import { describe, expect, it } from 'vitest';
import type { OffsetLedger } from '../store/offset-ledger.interface.js';
import { type OffsetResetPolicy, OutOfRange, StoredPositions } from './stored-positions.js';

const partition = { topic: 't', partition: 0 };

function positions(
  stored: string | undefined,
  low: string,
  high: string,
  policy: OffsetResetPolicy = 'halt',
) {
  const ledger = { position: () => Promise.resolve(stored) } as unknown as OffsetLedger;
  return new StoredPositions({
    ledger,
    watermarks: () => Promise.resolve([{ partition: 0, low, high }]),
    group: 'g',
    handler: 'H.m',
    policy,
  });
}

describe('StoredPositions', () => {
  it('starts where SQL says when that lies within the log, and nowhere when nothing is stored', async () => {
    expect(await positions('5', '0', '10').get(partition)).toEqual({ stored: '5', start: '5' });
    expect(await positions('10', '0', '10').get(partition)).toEqual({ stored: '10', start: '10' });
    expect(await positions(undefined, '3', '10').get(partition)).toEqual({
      stored: undefined,
      start: undefined,
    });
  });

  it('halts by default on an offset beyond the log end (a recreated topic) and says how to reset', async () => {
    const result = await positions('7', '0', '2').get(partition);
    expect(result).toBeInstanceOf(OutOfRange);
    expect((result as OutOfRange).reason).toMatch(/beyond the log end 2.*offsetReset/s);
  });

  it('halts on an offset below the log start (records expired unhandled), naming the gap', async () => {
    const result = await positions('3', '8', '12').get(partition);
    expect((result as OutOfRange).reason).toContain('records 3..7 expired');
  });

  it('goes on from the log start or end when the policy says so, keeping the stored row for the compare-and-set', async () => {
    expect(await positions('7', '0', '2', 'earliest').get(partition)).toEqual({ stored: '7', start: '0' });
    expect(await positions('7', '0', '2', 'latest').get(partition)).toEqual({ stored: '7', start: '2' });
  });

  it('does not cache a failed read', async () => {
    let calls = 0;
    const ledger = {
      position: () => (++calls === 1 ? Promise.reject(new Error('down')) : Promise.resolve('1')),
    } as unknown as OffsetLedger;
    const store = new StoredPositions({
      ledger,
      watermarks: () => Promise.resolve([{ partition: 0, low: '0', high: '5' }]),
      group: 'g',
      handler: 'H.m',
      policy: 'halt',
    });
    await expect(store.get(partition)).rejects.toThrow('down');
    expect(await store.get(partition)).toEqual({ stored: '1', start: '1' });
  });
});
