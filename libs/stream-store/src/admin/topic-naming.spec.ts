import { describe, expect, it } from 'vitest';
import { ownTopics } from './topic-naming.js';

describe('ownTopics', () => {
  const all = [
    'app.orders',
    'app.orders.dlq',
    'app.__schema__Order',
    'app.shop-carts-changelog',
    'other.orders',
    'app.',
    '__consumer_offsets',
  ];

  it('keeps the topics under the prefix, named with and without it, with their kind', () => {
    expect(ownTopics(all, 'app.')).toEqual([
      { topic: 'app.__schema__Order', name: '__schema__Order', kind: 'schema' },
      { topic: 'app.orders', name: 'orders', kind: 'stream' },
      { topic: 'app.orders.dlq', name: 'orders.dlq', kind: 'dead-letter' },
      { topic: 'app.shop-carts-changelog', name: 'shop-carts-changelog', kind: 'changelog' },
    ]);
  });

  it("keeps everything but Kafka's internal topics without a prefix", () => {
    expect(ownTopics(all, '').map((topic) => topic.topic)).not.toContain('__consumer_offsets');
    expect(ownTopics(all, '')).toHaveLength(all.length - 1);
  });
});
