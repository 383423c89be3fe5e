import { describe, expect, it } from 'vitest';
import { mapConcurrently } from './map-concurrently.js';

describe('mapConcurrently', () => {
  it('keeps the order of the items and never runs more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const results = await mapConcurrently([5, 1, 4, 2, 3, 0], 2, async (n) => {
      most = Math.max(most, ++running);
      await new Promise((resolve) => setTimeout(resolve, n));
      running--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0]);
    expect(most).toBe(2);
  });

  it('rejects with the first failure and starts nothing after it', async () => {
    const started: number[] = [];
    const run = mapConcurrently([1, 2, 3, 4], 1, async (n) => {
      started.push(n);
      if (n === 2) throw new Error('two');
      return n;
    });
    await expect(run).rejects.toThrow('two');
    expect(started).toEqual([1, 2]);
  });

  it('answers an empty list with an empty list', async () => {
    expect(await mapConcurrently([], 4, async () => 1)).toEqual([]);
  });
});
