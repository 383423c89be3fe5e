import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KafkaClient, StreamAdmin, StreamConsumer } from '../kafka/kafka-client.interface.js';
import type { BatchProcessor } from './batch-processor.js';
import { GroupMember } from './group-member.js';
import type { HandlerBinding } from './handler-binding.js';

/** A member over topics with these partition counts, its consumer doing nothing. */
function member(partitions: Record<string, number>) {
  const consumer = {
    connect: async () => undefined,
    subscribe: async () => undefined,
    run: async () => undefined,
    disconnect: async () => undefined,
  } as unknown as StreamConsumer;
  const admin = {
    listTopics: async () => Object.keys(partitions),
    describeTopics: async (topics: string[]) =>
      new Map(
        topics.map((topic) => [
          topic,
          Array.from({ length: partitions[topic] }, (_, partition) => ({ partition })),
        ]),
      ),
  } as unknown as StreamAdmin;
  const binding = {
    id: 'Counter.count',
    group: 'g',
    matcher: { select: (topics: string[]) => topics.filter((t) => t.startsWith('events.')) },
    options: {},
  } as unknown as HandlerBinding;
  const processor = { start: () => undefined, stop: () => undefined } as unknown as BatchProcessor;
  const client = { consumer: () => consumer } as unknown as KafkaClient;
  return new GroupMember(binding, client, admin, processor, {
    refreshMs: 60_000,
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 1_000,
    shutdownTimeoutMs: 1_000,
  });
}

afterEach(() => vi.restoreAllMocks());

describe('GroupMember', () => {
  it('warns when the topics it reads have different partition counts (their keys are not co-partitioned)', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const uneven = member({ 'events.a': 3, 'events.b': 6 });
    await uneven.start();
    await uneven.stop();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('events.a: 3, events.b: 6'));
    warn.mockClear();
    const even = member({ 'events.a': 3, 'events.b': 3 });
    await even.start();
    await even.stop();
    expect(warn).not.toHaveBeenCalled();
  });
});
