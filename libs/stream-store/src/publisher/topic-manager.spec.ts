import { Logger } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type { StreamAdmin } from '../kafka/kafka-client.interface.js';
import { TopicManager } from './topic-manager.js';

vi.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);

function fakeAdmin(
  brokers = 1,
  existing: string[] = [],
  configs: Record<string, Record<string, string>> = {},
) {
  return {
    listTopics: vi.fn(async () => existing),
    createTopics: vi.fn(async () => true),
    describeTopics: vi.fn(
      async (topics: string[]) =>
        new Map(topics.map((t) => [t, [{ partition: 0, leader: 1, replicas: [1] }]])),
    ),
    servedPartitions: vi.fn(async () => 1),
    describeTopicConfigs: vi.fn(
      async (topics: string[]) => new Map(topics.map((t) => [t, configs[t] ?? {}])),
    ),
    describeCluster: vi.fn(async () => ({
      brokers: Array.from({ length: brokers }, (_, i) => ({ nodeId: i, host: 'h', port: 9092 })),
      controller: 0,
      clusterId: 'c',
    })),
  };
}

describe('TopicManager', () => {
  it('creates a topic once for concurrent first uses, then stays off the admin', async () => {
    const admin = fakeAdmin();
    const topics = new TopicManager(admin as unknown as StreamAdmin, { partitions: 3, replicationFactor: 3 });
    await Promise.all(
      Array.from({ length: 20 }, () => topics.ensure('t', { config: { 'retention.ms': '1000' } })),
    );
    await topics.ensure('t');
    expect(admin.createTopics).toHaveBeenCalledTimes(1);
    expect(admin.createTopics).toHaveBeenCalledWith([
      { topic: 't', partitions: 3, replicationFactor: 1, config: { 'retention.ms': '1000' } },
    ]);
  });

  it('leaves an existing topic alone', async () => {
    const admin = fakeAdmin(1, ['t']);
    const topics = new TopicManager(admin as unknown as StreamAdmin, { partitions: 3, replicationFactor: 3 });
    await Promise.all([topics.ensure('t'), topics.ensure('t')]);
    await topics.ensure('t');
    expect(admin.listTopics).toHaveBeenCalledTimes(1);
    expect(admin.createTopics).not.toHaveBeenCalled();
  });

  it('on a lost creation race, waits like the winner until every partition has a leader that serves it', async () => {
    const admin = fakeAdmin();
    admin.createTopics.mockResolvedValueOnce(false);
    admin.describeTopics.mockResolvedValueOnce(
      new Map([['t', [{ partition: 0, leader: -1, replicas: [1] }]]]),
    );
    admin.servedPartitions
      .mockRejectedValueOnce(new Error('This server does not host this topic-partition'))
      .mockResolvedValueOnce(0);
    const topics = new TopicManager(admin as unknown as StreamAdmin, { partitions: 1, replicationFactor: 1 });
    await topics.ensure('t');
    expect(admin.describeTopics).toHaveBeenCalledTimes(4);
    expect(admin.servedPartitions).toHaveBeenCalledTimes(3);
  });

  it('asks for the broker count again after a failure', async () => {
    const admin = fakeAdmin(2);
    admin.describeCluster.mockRejectedValueOnce(new Error('no controller'));
    const topics = new TopicManager(admin as unknown as StreamAdmin, { partitions: 1, replicationFactor: 3 });
    await expect(topics.ensure('t')).rejects.toThrow('no controller');
    await topics.ensure('t');
    expect(admin.createTopics).toHaveBeenCalledWith([expect.objectContaining({ replicationFactor: 2 })]);
  });

  it('works out lazy options only when it creates the topic', async () => {
    const admin = fakeAdmin(1, ['old']);
    const topics = new TopicManager(admin as unknown as StreamAdmin, { partitions: 3, replicationFactor: 1 });
    const options = vi.fn(async () => ({ partitions: 6, config: { 'max.message.bytes': '5000000' } }));
    await Promise.all([
      topics.ensure('old', options),
      topics.ensure('new', options),
      topics.ensure('new', options),
    ]);
    expect(options).toHaveBeenCalledTimes(1);
    expect(admin.createTopics).toHaveBeenCalledWith([
      { topic: 'new', partitions: 6, replicationFactor: 1, config: { 'max.message.bytes': '5000000' } },
    ]);
  });

  it('shapes options like another topic: its partition count and the configs set on it', async () => {
    const admin = fakeAdmin(1, ['source'], { source: { 'max.message.bytes': '4194304' } });
    admin.describeTopics.mockResolvedValueOnce(
      new Map([['source', [0, 1, 2, 3, 4, 5].map((partition) => ({ partition, leader: 1, replicas: [1] }))]]),
    );
    const topics = new TopicManager(admin as unknown as StreamAdmin, { partitions: 3, replicationFactor: 1 });
    expect(await topics.optionsLike('source', ['max.message.bytes'])).toEqual({
      partitions: 6,
      config: { 'max.message.bytes': '4194304' },
    });
    expect(admin.describeTopicConfigs).toHaveBeenCalledWith(['source'], ['max.message.bytes']);
  });

  it('never describes a missing source (that could auto-create it): defaults instead', async () => {
    vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const admin = fakeAdmin(1, []);
    const topics = new TopicManager(admin as unknown as StreamAdmin, { partitions: 3, replicationFactor: 1 });
    expect(await topics.optionsLike('gone', ['max.message.bytes'])).toEqual({});
    expect(admin.describeTopics).not.toHaveBeenCalled();
    expect(admin.describeTopicConfigs).not.toHaveBeenCalled();
  });
});
