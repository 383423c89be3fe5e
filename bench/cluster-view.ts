// ClusterView on a large cluster, the way it reads now next to the way it read before (each topic's
// offsets asked on their own and each group's offsets asked for every topic, one call at a time).
//
//   KAFKA_BROKERS=host:port node --import @swc-node/register/esm-register bench/cluster-view.ts \
//     [--topics=1000] [--partitions=2] [--groups=100] [--skip-old]
//
// Creates the topics (under a unique prefix, so a shared broker is safe), one record on each
// partition, and groups that committed on one topic each; deletes all of it at the end. Prints
// seconds per read and the old/new ratio, and writes them to bench/cluster-view.results.json.
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClusterView, StreamStoreModule } from '@samsa/stream-store';
import kafkajs, { type Admin } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

const { Kafka, logLevel, Partitioners } = kafkajs;

const { values } = parseArgs({
  options: {
    topics: { type: 'string', default: '1000' },
    partitions: { type: 'string', default: '2' },
    groups: { type: 'string', default: '100' },
    'skip-old': { type: 'boolean', default: false },
  },
});
const TOPICS = Number(values.topics);
const PARTITIONS = Number(values.partitions);
const GROUPS = Number(values.groups);
const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
if (brokers.length === 0) throw new Error('Set KAFKA_BROKERS=host:port');

const prefix = `cvbench-${randomBytes(4).toString('hex')}.`;
const topics = Array.from({ length: TOPICS }, (_, i) => `${prefix}t${String(i).padStart(5, '0')}`);
const groups = Array.from({ length: GROUPS }, (_, i) => `${prefix}g${i}`);
const kafka = new Kafka({ clientId: `${prefix}bench`, brokers, logLevel: logLevel.NOTHING });

async function seconds<T>(run: () => Promise<T>): Promise<{ s: number; result: T }> {
  const start = process.hrtime.bigint();
  const result = await run();
  return { s: Number(process.hrtime.bigint() - start) / 1e9, result };
}

async function setUp(admin: Admin): Promise<number> {
  const { s } = await seconds(async () => {
    for (let i = 0; i < topics.length; i += 200) {
      await admin.createTopics({
        waitForLeaders: false,
        topics: topics
          .slice(i, i + 200)
          .map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: 1 })),
      });
    }
    await untilLeaders(admin);
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.sendBatch({
      topicMessages: topics.map((topic) => ({
        topic,
        messages: Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, value: 'x' })),
      })),
    });
    await producer.disconnect();
    // Each setOffsets joins the group with a throw-away consumer (seconds): many groups at once.
    const pending = [...groups.entries()];
    const commit = async () => {
      for (let next = pending.shift(); next; next = pending.shift()) {
        const [index, groupId] = next;
        const topic = topics[(index * 7 + 3) % TOPICS];
        await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '1' }] });
      }
    };
    await Promise.all(Array.from({ length: 25 }, commit));
  });
  return s;
}

async function untilLeaders(admin: Admin): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      const { topics: described } = await admin.fetchTopicMetadata({ topics });
      if (described.every(({ partitions }) => partitions.every(({ leader }) => leader >= 0))) return;
    } catch (error) {
      if (attempt > 300) throw error;
    }
    await sleep(200);
  }
}

/** The reads as ClusterView made them before: one serialised admin, per topic and per group. */
async function oldReads(): Promise<{ topicsS: number; groupsS: number; lag: number }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const listed = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    const topicsRead = await seconds(async () => {
      await admin.fetchTopicMetadata({ topics: listed });
      for (const topic of listed) await admin.fetchTopicOffsets(topic);
    });
    const groupsRead = await seconds(async () => {
      let lag = 0;
      for (const { groupId } of (await admin.listGroups()).groups) {
        for (const { partitions } of await admin.fetchOffsets({ groupId, topics: listed })) {
          lag += partitions.filter(({ offset }) => Number(offset) >= 0).length;
        }
      }
      return lag;
    });
    return { topicsS: topicsRead.s, groupsS: groupsRead.s, lag: groupsRead.result };
  } finally {
    await admin.disconnect();
  }
}

/** ClusterView as it reads now. `groups()` reads the topics too: its time is the rest. */
async function newReads(): Promise<{ topicsS: number; groupsS: number; groupCount: number }> {
  @Module({
    imports: [StreamStoreModule.forRoot({ brokers, clientId: `${prefix}view`, topicPrefix: prefix })],
  })
  class ViewModule {}
  const app = await NestFactory.createApplicationContext(ViewModule, { logger: ['error'] });
  try {
    const view = app.get(ClusterView);
    await view.brokers(); // Connects.
    const topicsRead = await seconds(() => view.topics());
    if (topicsRead.result.length !== TOPICS) throw new Error(`read ${topicsRead.result.length} topics`);
    const groupsRead = await seconds(() => view.groups());
    if (groupsRead.result.length !== GROUPS) throw new Error(`read ${groupsRead.result.length} groups`);
    return {
      topicsS: topicsRead.s,
      groupsS: Math.max(0, groupsRead.s - topicsRead.s),
      groupCount: groupsRead.result.length,
    };
  } finally {
    await app.close();
  }
}

const admin = kafka.admin();
await admin.connect();
try {
  const { groups: allGroups } = await admin.listGroups();
  console.log(
    `${TOPICS} topics × ${PARTITIONS} partitions, ${GROUPS} groups (${allGroups.length} on the broker before)`,
  );
  const setUpS = await setUp(admin);
  console.log(`set up in ${setUpS.toFixed(1)} s`);
  const now = await newReads();
  const before = values['skip-old'] ? undefined : await oldReads();
  const ratio = (old: number | undefined, fresh: number) =>
    old === undefined ? '-' : `${(old / fresh).toFixed(1)}×`;
  const rows = [
    ['read', 'before (s)', 'now (s)', 'before/now'],
    [
      'topics()',
      before?.topicsS.toFixed(2) ?? '-',
      now.topicsS.toFixed(2),
      ratio(before?.topicsS, now.topicsS),
    ],
    [
      'groups (after topics)',
      before?.groupsS.toFixed(2) ?? '-',
      now.groupsS.toFixed(2),
      ratio(before?.groupsS, now.groupsS),
    ],
  ];
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(i === 0 ? 24 : 12)).join(''));
  writeFileSync(
    new URL('./cluster-view.results.json', import.meta.url),
    `${JSON.stringify({ at: new Date().toISOString(), topics: TOPICS, partitions: PARTITIONS, groups: GROUPS, brokerGroups: allGroups.length + GROUPS, before, now }, null, 2)}\n`,
  );
} finally {
  await admin.deleteGroups(groups).catch(() => undefined);
  for (let i = 0; i < topics.length; i += 200) {
    await admin.deleteTopics({ topics: topics.slice(i, i + 200), timeout: 60_000 }).catch(() => undefined);
  }
  await admin.disconnect();
}
