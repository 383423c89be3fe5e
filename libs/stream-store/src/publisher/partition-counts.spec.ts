import { Logger } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type { PartitionInfo, StreamAdmin } from '../kafka/kafka-client.interface.js';
import { PartitionCounts } from './partition-counts.js';

function adminWith(counts: number[]) {
  const describeTopics = vi.fn(async (topics: string[]) => {
    const count = counts.shift();
    if (count === undefined) throw new Error('metadata unavailable');
    const partitions: PartitionInfo[] = Array.from({ length: count }, (_, partition) => ({
      partition,
      leader: 1,
      replicas: [1],
    }));
    return new Map(topics.map((topic) => [topic, partitions]));
  });
  return { admin: { describeTopics } as unknown as StreamAdmin, describeTopics };
}

describe('PartitionCounts', () => {
  it('asks the cluster once for concurrent first lookups, then answers from memory', async () => {
    const { admin, describeTopics } = adminWith([4]);
    const counts = new PartitionCounts(admin, 60_000);
    expect(await Promise.all(Array.from({ length: 20 }, () => counts.get('t')))).toEqual(Array(20).fill(4));
    expect(await counts.get('t')).toBe(4);
    expect(describeTopics).toHaveBeenCalledTimes(1);
  });

  it('refreshes a stale count in the background, answering with the known one meanwhile', async () => {
    let now = 0;
    const { admin, describeTopics } = adminWith([4, 8]);
    const counts = new PartitionCounts(admin, 1_000, () => now);
    expect(await counts.get('t')).toBe(4);
    now = 1_001;
    expect(await counts.get('t')).toBe(4);
    await vi.waitFor(() => expect(describeTopics).toHaveBeenCalledTimes(2));
    await new Promise((resolve) => setImmediate(resolve));
    expect(await counts.get('t')).toBe(8);
  });

  it('keeps the known count when a refresh fails', async () => {
    let now = 0;
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { admin } = adminWith([4]);
    const counts = new PartitionCounts(admin, 1_000, () => now);
    await counts.get('t');
    now = 5_000;
    expect(await counts.get('t')).toBe(4);
    await vi.waitFor(() =>
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('keeping the known one')),
    );
    expect(await counts.get('t')).toBe(4);
    warn.mockRestore();
  });

  it('does not remember a failed first lookup', async () => {
    const { admin } = adminWith([]);
    const counts = new PartitionCounts(admin, 1_000);
    await expect(counts.get('t')).rejects.toThrow('metadata unavailable');
    await expect(counts.get('t')).rejects.toThrow('metadata unavailable');
  });

  it('rejects a topic without partitions as retriable', async () => {
    const { admin } = adminWith([0]);
    await expect(new PartitionCounts(admin, 1_000).get('t')).rejects.toMatchObject({ retriable: true });
  });
});
