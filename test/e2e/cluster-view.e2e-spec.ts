import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClusterView, StreamStoreModule, partitionLag } from '@samsa/stream-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterViewProgress } from '../../libs/stream-store/src/admin/cluster-view.interface.js';
import { KafkajsLogBounds } from '../../libs/stream-store/src/kafka/kafkajs/kafkajs-log-bounds.js';
import { createKafka, createTopic, kafkaBrokers, produce, uniqueName } from '../support/kafka.js';

const prefix = `${uniqueName('view')}.`;
const outsider = `${uniqueName('outside')}.orders`;
const group = uniqueName('group');
const idle = uniqueName('idle-group');
const admin = createKafka().admin();
let app: INestApplicationContext;
let view: ClusterView;

beforeAll(async () => {
  await admin.connect();
  await createTopic(`${prefix}orders`, 3);
  await createTopic(`${prefix}orders.dlq`, 1);
  await createTopic(outsider, 1);
  await produce(
    `${prefix}orders`,
    Array.from({ length: 30 }, (_, i) => ({ partition: i % 3, value: `v${i}` })),
  );
  await produce(`${prefix}orders.dlq`, ['dead']);
  await produce(outsider, ['elsewhere']);
  // The log of partition 1 now starts later: its earliest offset is no longer 0.
  await admin.fetchTopicMetadata({ topics: [`${prefix}orders`] });
  await admin.deleteTopicRecords({ topic: `${prefix}orders`, partitions: [{ partition: 1, offset: '2' }] });
  // The group committed on partition 0 only; partitions 1 and 2 count from their earliest offset.
  await admin.setOffsets({
    groupId: group,
    topic: `${prefix}orders`,
    partitions: [{ partition: 0, offset: '3' }],
  });
  await admin.setOffsets({ groupId: idle, topic: outsider, partitions: [{ partition: 0, offset: '1' }] });

  @Module({
    imports: [
      StreamStoreModule.forRoot({
        brokers: kafkaBrokers(),
        clientId: uniqueName('view'),
        topicPrefix: prefix,
      }),
    ],
  })
  class ViewTestModule {}
  app = await NestFactory.createApplicationContext(ViewTestModule, { logger: ['error', 'warn'] });
  view = app.get(ClusterView);
});

afterAll(async () => {
  await app?.close();
  await admin.disconnect();
});

describe('ClusterView on real Kafka', () => {
  it('lists the brokers as kafkajs describes them', async () => {
    const cluster = await admin.describeCluster();
    expect(await view.brokers()).toEqual(
      cluster.brokers.map(({ nodeId, host, port }) => ({
        nodeId,
        host,
        port,
        controller: nodeId === cluster.controller,
      })),
    );
  });

  it('lists only the topics under the prefix, with and without it, with leaders and offsets as kafkajs reports them', async () => {
    const topics = await view.topics();
    expect(topics.map(({ topic, name, kind }) => ({ topic, name, kind }))).toEqual([
      { topic: `${prefix}orders`, name: 'orders', kind: 'stream' },
      { topic: `${prefix}orders.dlq`, name: 'orders.dlq', kind: 'dead-letter' },
    ]);
    for (const topic of topics) {
      const {
        topics: [metadata],
      } = await admin.fetchTopicMetadata({ topics: [topic.topic] });
      const offsets = await admin.fetchTopicOffsets(topic.topic);
      expect(topic.partitions).toEqual(
        metadata.partitions
          .map(({ partitionId, leader, replicas }) => {
            const { low, high } = offsets.find((offset) => offset.partition === partitionId) ?? {};
            return { partition: partitionId, leader, replicas, earliest: low, latest: high };
          })
          .sort((a, b) => a.partition - b.partition),
      );
    }
    const orders = topics[0].partitions;
    expect(orders.reduce((sum, p) => sum + Number(p.latest), 0)).toBe(30);
    expect(orders[1].earliest).toBe('2');
    expect(await view.topic('orders.dlq')).toEqual(topics[1]);
    expect(await view.topic('missing')).toBeUndefined();
  });

  it("reports a group's committed offsets and lag per partition as kafkajs sees them", async () => {
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [`${prefix}orders`] });
    const offsets = await admin.fetchTopicOffsets(`${prefix}orders`);
    const expected = offsets
      .map(({ partition, low, high }) => {
        const offset = committed.partitions.find((p) => p.partition === partition)?.offset ?? 'none';
        // Kafka's definition: latest − committed, or latest − earliest without a commit.
        const lag = Number(high) - (offset === '-1' ? Number(low) : Number(offset));
        return {
          topic: `${prefix}orders`,
          name: 'orders',
          partition,
          committed: offset,
          earliest: low,
          latest: high,
          lag,
        };
      })
      .sort((a, b) => a.partition - b.partition);
    expect(expected.map((row) => row.committed)).toEqual(['3', '-1', '-1']);

    const lag = await view.group(group);
    expect(lag).toEqual({
      groupId: group,
      lag: expected.reduce((sum, row) => sum + row.lag, 0),
      partitions: expected,
    });
    for (const row of lag.partitions)
      expect(row.lag).toBe(partitionLag(row.committed, row.earliest, row.latest));
    // 10 messages per partition: 10 − 3 committed, 10 − 2 deleted (no commit), 10 − 0 (no commit).
    expect(lag.partitions.map((row) => row.lag)).toEqual([7, 8, 10]);
    expect(lag.lag).toBe(25);

    // Named topics show every partition, committed or not.
    const named = await view.group(group, ['orders', 'orders.dlq']);
    expect(named.partitions.at(-1)).toEqual({
      topic: `${prefix}orders.dlq`,
      name: 'orders.dlq',
      partition: 0,
      committed: '-1',
      earliest: '0',
      latest: '1',
      lag: 1,
    });
  });

  it('lists the groups with offsets under the prefix, and a JSON-ready snapshot', async () => {
    const groups = await view.groups();
    expect(groups.map((g) => g.groupId)).toContain(group);
    expect(groups.map((g) => g.groupId)).not.toContain(idle);
    expect(groups.find((g) => g.groupId === group)).toEqual(await view.group(group));

    const snapshot = await view.snapshot();
    expect(snapshot).toMatchObject({
      topicPrefix: prefix,
      brokers: await view.brokers(),
      topics: await view.topics(),
    });
    expect(snapshot.clusterId).toBe((await admin.describeCluster()).clusterId);
    expect(snapshot.groups.find((g) => g.groupId === group)).toEqual(await view.group(group));
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });

  it('reports its progress through the topics read, then the groups', async () => {
    const events: ClusterViewProgress[] = [];
    const snapshot = await view.snapshot((progress) => events.push({ ...progress }));
    const topics = events.filter(({ step }) => step === 'topics');
    const groups = events.filter(({ step }) => step === 'groups');
    expect(topics[0]).toEqual({ step: 'topics', done: 0, total: snapshot.topics.length });
    expect(topics.at(-1)).toEqual({ step: 'topics', done: 2, total: 2 });
    // Every group of the cluster is asked (the shared broker's too); each counts once.
    const total = groups[0].total;
    expect(groups.map(({ done }) => done)).toEqual(Array.from({ length: total + 1 }, (_, i) => i));
    expect(events.indexOf(groups[0])).toBeGreaterThan(events.lastIndexOf(topics[topics.length - 1]));
  });
});

describe('KafkajsLogBounds on real Kafka', () => {
  it('answers the log bounds kafkajs reports per topic, and leaves out a topic that does not exist', async () => {
    const bounds = await KafkajsLogBounds.open(createKafka());
    if (!bounds) throw new Error('KafkaJS no longer has the cluster factory KafkajsLogBounds uses');
    try {
      const missing = uniqueName('missing');
      const fetched = await bounds.fetch([`${prefix}orders`, missing, `${prefix}orders.dlq`]);
      expect([...fetched.keys()].sort()).toEqual([`${prefix}orders`, `${prefix}orders.dlq`]);
      for (const topic of [`${prefix}orders`, `${prefix}orders.dlq`]) {
        const expected = (await admin.fetchTopicOffsets(topic))
          .map(({ partition, low, high }) => ({ partition, low, high }))
          .sort((a, b) => a.partition - b.partition);
        expect(fetched.get(topic)).toEqual(expected);
      }
    } finally {
      await bounds.close();
    }
  });
});
