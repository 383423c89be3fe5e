import { describe, expect, it } from 'vitest';
import type { StreamAdmin } from '../kafka/kafka-client.interface.js';
import type { HandlerStatus } from '../transport/stream-store.server.js';
import { StallWatch } from './stalled-partitions.js';

const admin = {
  fetchTopicOffsets: async () => [
    { partition: 0, low: '0', high: '100' },
    { partition: 1, low: '0', high: '50' },
  ],
  fetchGroupOffsets: async () => [
    { topic: 'in', partition: 0, offset: '40' },
    { topic: 'in', partition: 1, offset: '50' },
  ],
} as unknown as StreamAdmin;

const handler = (unmoved: HandlerStatus['unmoved']): HandlerStatus => ({
  handler: 'Counter.count',
  group: 'g',
  state: 'running',
  topics: ['in'],
  assigned: [
    { topic: 'in', partition: 0 },
    { topic: 'in', partition: 1 },
  ],
  halted: {},
  waiting: {},
  unmoved,
});

describe('StallWatch', () => {
  it('reports an unmoved partition once records have waited for it long enough; not a caught-up one', async () => {
    const watch = new StallWatch();
    // Partition 0: 60 records after the group's commit; partition 1: caught up.
    const idle = handler({ 'in:0': { forMs: 3_600_000 }, 'in:1': { forMs: 3_600_000 } });
    expect(await watch.check(admin, [idle], 20_000, 1_000_000)).toEqual([]);
    expect(await watch.check(admin, [idle], 20_000, 1_010_000)).toEqual([]);
    expect(await watch.check(admin, [idle], 20_000, 1_020_000)).toEqual([
      { handler: 'Counter.count', partition: 'in:0', waiting: 60n, forMs: 20_000 },
    ]);
  });

  it('counts from the partition’s own position when it finished a batch, and starts over when it moves', async () => {
    const watch = new StallWatch();
    await watch.check(admin, [handler({ 'in:0': { forMs: 30_000, next: '90' } })], 20_000, 0);
    const stalled = await watch.check(
      admin,
      [handler({ 'in:0': { forMs: 50_000, next: '90' } })],
      20_000,
      25_000,
    );
    expect(stalled).toEqual([{ handler: 'Counter.count', partition: 'in:0', waiting: 10n, forMs: 25_000 }]);
    // It moved on (and stopped again): a new stretch.
    expect(
      await watch.check(admin, [handler({ 'in:0': { forMs: 20_000, next: '95' } })], 20_000, 30_000),
    ).toEqual([]);
  });

  it('asks Kafka at most once per topic and group within its cache time, however often health is checked', async () => {
    let asked = 0;
    const counting = {
      fetchTopicOffsets: async () => {
        asked++;
        return [{ partition: 0, low: '0', high: '100' }];
      },
      fetchGroupOffsets: async () => {
        asked++;
        return [{ topic: 'in', partition: 0, offset: '40' }];
      },
    } as unknown as StreamAdmin;
    const watch = new StallWatch(5_000);
    const idle = handler({ 'in:0': { forMs: 3_600_000 } });
    for (let now = 0; now < 5_000; now += 500) await watch.check(counting, [idle], 20_000, now);
    expect(asked).toBe(2);
    await watch.check(counting, [idle], 20_000, 5_000);
    expect(asked).toBe(4);
  });
});
