import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  getStateStoreToken,
  StreamStoreModule,
  type StateStore,
  type StoreConnectionOptions,
} from '@samsa/stream-store';
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKafka, createTopic, kafkaBrokers, produce, uniqueName } from '../support/kafka.js';
import { describePostgres } from '../support/postgres.js';
import { spawnWorker } from '../support/spawn-worker.js';
// Until the lib's index.ts re-exports the CLI's report type.
import type { InspectReport } from '@samsa/stream-store';

const CLI = 'libs/stream-store/src/cli/main.ts';
const prefix = `${uniqueName('inspect')}.`;
const group = uniqueName('inspect-group');
const otherGroup = uniqueName('other-group');
const orderSchemas = [
  { type: 'object', title: 'Order:1', properties: { id: { type: 'string' } } },
  { type: 'object', title: 'Order:2', properties: { id: { type: 'string' }, total: { type: 'integer' } } },
];

/** Runs the CLI; resolves with its exit code, stdout alone, and stdout + stderr. */
async function samsa(args: string[], env: Record<string, string> = {}) {
  const worker = spawnWorker(CLI, env, args);
  let stdout = '';
  worker.process.stdout?.on('data', (chunk) => (stdout += chunk));
  const code = await worker.exited;
  return { code, stdout, output: worker.output() };
}

async function inspectJson(...args: string[]): Promise<InspectReport> {
  const { code, stdout, output } = await samsa(['inspect', '--topic-prefix', prefix, '--json', ...args]);
  expect(code, output).toBe(0);
  return JSON.parse(stdout) as InspectReport;
}

/** Writes 3 keys to `carts` and 2 soon-expired keys to `sessions` through samsa's own stores. */
async function fillStores(store: StoreConnectionOptions): Promise<void> {
  @Module({
    imports: [
      StreamStoreModule.forRoot({ brokers: kafkaBrokers(), clientId: uniqueName('stores'), store }),
      StreamStoreModule.forFeature([
        { name: 'carts', changelog: false },
        { name: 'sessions', ttl: 1, changelog: false },
      ]),
    ],
  })
  class StoresModule {}
  const app = await NestFactory.createApplicationContext(StoresModule, { logger: ['error'] });
  try {
    const carts = app.get<StateStore<number>>(getStateStoreToken('carts'));
    const sessions = app.get<StateStore<number>>(getStateStoreToken('sessions'));
    await Promise.all([carts.set('a', 1), carts.set('b', 2), carts.set('c', 3)]);
    await Promise.all([sessions.set('x', 1), sessions.set('y', 2)]);
  } finally {
    await app.close();
  }
  await sleep(5); // The sessions' 1 ms TTL passes.
}

beforeAll(async () => {
  await createTopic(`${prefix}orders`, 3);
  await createTopic(`${prefix}payments`, 1);
  await createTopic(`${prefix}__schema__Order`, 1, { 'cleanup.policy': 'compact' });
  await produce(
    `${prefix}orders`,
    Array.from({ length: 30 }, (_, i) => ({ partition: i % 3, value: `order ${i}` })),
  );
  await produce(`${prefix}payments`, ['p1', 'p2']);
  await produce(
    `${prefix}__schema__Order`,
    orderSchemas.map((schema, index) => ({ key: String(index + 1), value: JSON.stringify(schema) })),
  );
  const admin = createKafka().admin();
  await admin.connect();
  try {
    // Partition 0 read up to 4, partition 1 fully, partition 2 never: its lag counts from the earliest offset.
    await admin.setOffsets({
      groupId: group,
      topic: `${prefix}orders`,
      partitions: [
        { partition: 0, offset: '4' },
        { partition: 1, offset: '10' },
      ],
    });
    await admin.setOffsets({
      groupId: otherGroup,
      topic: `${prefix}payments`,
      partitions: [{ partition: 0, offset: '1' }],
    });
  } finally {
    await admin.disconnect();
  }
});

describe('samsa inspect', () => {
  it('reports topics, offsets and group lag as kafkajs reads them, and the published schemas', async () => {
    const report = await inspectJson('--kafka-servers', kafkaBrokers().join(','));

    const admin = createKafka().admin();
    await admin.connect();
    const [ends, [committed]] = await Promise.all([
      admin.fetchTopicOffsets(`${prefix}orders`),
      admin.fetchOffsets({ groupId: group, topics: [`${prefix}orders`] }),
    ]);
    await admin.disconnect();
    const expectedLag = ends
      .map(({ partition, low, high }) => {
        const offset = Number(committed.partitions.find((row) => row.partition === partition)?.offset ?? -1);
        return { partition, lag: Number(high) - (offset >= 0 ? offset : Number(low)) };
      })
      .sort((a, b) => a.partition - b.partition);
    expect(expectedLag.map(({ lag }) => lag)).toEqual([6, 0, 10]);

    expect(report.topicPrefix).toBe(prefix);
    expect(report.topics.map(({ topic, kind }) => [topic, kind])).toEqual([
      [`${prefix}__schema__Order`, 'schema'],
      [`${prefix}orders`, 'stream'],
      [`${prefix}payments`, 'stream'],
    ]);
    const orders = report.topics.find(({ name }) => name === 'orders');
    expect(
      orders?.partitions.map(({ partition, earliest, latest }) => ({ partition, earliest, latest })),
    ).toEqual(
      ends
        .map(({ partition, low, high }) => ({ partition, earliest: low, latest: high }))
        .sort((a, b) => a.partition - b.partition),
    );

    const view = report.groups.find(({ groupId }) => groupId === group);
    expect(view?.partitions.map(({ partition, lag }) => ({ partition, lag }))).toEqual(expectedLag);
    expect(view?.lag).toBe(16);
    expect(report.groups.find(({ groupId }) => groupId === otherGroup)?.lag).toBe(1);

    expect(report.schemas).toEqual([
      {
        id: 'Order',
        topic: `${prefix}__schema__Order`,
        versions: orderSchemas.map((schema, index) => ({ version: index + 1, schema })),
      },
    ]);
    expect(report.stores).toBeUndefined();
  });

  it('filters topics and groups by glob, and reads brokers from KAFKA_BROKERS', async () => {
    const report = await inspectJson(
      '--topics',
      'pay*',
      '--group',
      `${otherGroup.slice(0, 8)}*`,
      '--no-schemas',
    );
    expect(report.topics.map(({ name }) => name)).toEqual(['payments']);
    expect(report.groups.map(({ groupId, lag }) => ({ groupId, lag }))).toEqual([
      { groupId: otherGroup, lag: 1 },
    ]);
    expect(report.schemas).toBeUndefined();

    // The orders group's partitions are all filtered out with the orders topic.
    const ordersOnly = await inspectJson('--topics', `${prefix}orders`, '--no-schemas');
    expect(ordersOnly.groups.map(({ groupId }) => groupId)).toEqual([group]);
  });

  it('with --progress, reports the topics and groups read on stderr while stdout keeps the JSON alone', async () => {
    const { code, stdout, output } = await samsa([
      'inspect',
      '--topic-prefix',
      prefix,
      '--no-schemas',
      '--json',
      '--progress',
    ]);
    expect(code, output).toBe(0);
    const report = JSON.parse(stdout) as InspectReport;
    const topics = report.topics.length;
    expect(output).toContain(`samsa: topics: 0/${topics} (0%)`);
    expect(output).toContain(`samsa: topics: ${topics}/${topics} (100%)`);
    // Every group of the cluster is asked (other tests' too): the last line says how many.
    expect(output).toMatch(/samsa: groups: (\d+)\/\1 \(100%\)/);
    expect(stdout).not.toContain('samsa:');
  });

  it('counts the keys of each state store in a SQLite file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'samsa-inspect-')), 'state.sqlite');
    await fillStores({ type: 'sqlite', database: file });
    const report = await inspectJson('--no-schemas', '--store', file);
    expect(report.stores).toEqual([
      { store: 'carts', keys: 3, expired: 0 },
      { store: 'sessions', keys: 0, expired: 2 },
    ]);
  });

  it('flags offsets stored in SQL that lie outside the log of their partition', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'samsa-inspect-')), 'state.sqlite');
    await fillStores({ type: 'sqlite', database: file });
    // As a topic deleted and recreated leaves them: far beyond the new log's end.
    const db = new Database(file);
    const insert = db.prepare(
      'INSERT INTO "samsa_offsets" ("group", "topic", "partition", "next_offset") VALUES (?, ?, ?, ?)',
    );
    insert.run('recreated', `${prefix}orders`, 0, 999_999);
    insert.run('recreated', `${prefix}orders`, 1, 0);
    db.close();
    const report = await inspectJson('--no-schemas', '--store', file);
    expect(report.storedOffsets).toEqual([
      { group: 'recreated', topic: `${prefix}orders`, partition: 0, offset: '999999', range: 'beyond-end' },
      { group: 'recreated', topic: `${prefix}orders`, partition: 1, offset: '0', range: 'ok' },
    ]);
    const { stdout } = await samsa(['inspect', '--topic-prefix', prefix, '--no-schemas', '--store', file]);
    expect(stdout).toMatch(new RegExp(`^recreated\\s+${prefix}orders\\s+0\\s+999999\\s+beyond-end$`, 'm'));
  });

  it('prints tables with the topics, groups, schemas and stores', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'samsa-inspect-')), 'state.sqlite');
    await fillStores({ type: 'sqlite', database: file });
    const { code, stdout, output } = await samsa(['inspect', '--topic-prefix', prefix, '--store', file]);
    expect(code, output).toBe(0);
    expect(stdout).toContain(`${prefix}orders`);
    expect(stdout).toMatch(new RegExp(`^${prefix}orders\\s+stream\\s+2\\s+1\\s+0\\s+10$`, 'm'));
    expect(stdout).toContain(`${group}  lag 16`);
    expect(stdout).toMatch(new RegExp(`^  ${prefix}orders\\s+2\\s+-\\s+10\\s+10$`, 'm'));
    expect(stdout).toMatch(new RegExp(`^Order\\s+1, 2\\s+${prefix}__schema__Order$`, 'm'));
    expect(stdout).toMatch(/^carts\s+3\s+0$/m);
  });

  it.each([
    [['--kafka-servers', 'localhost'], /--kafka-servers must list host:port pairs/],
    [['--topic-prefix', 'a/b'], /--topic-prefix may only hold/],
    [['--kafka-settings', '[1]'], /--kafka-settings must be a JSON object/],
    [['--topics', ''], /--topics needs a glob/],
    [['--store', 'test/e2e/fixtures/missing.sqlite'], /--store: no SQLite file at/],
    [['--no-such-flag'], /unknown option '--no-such-flag'/],
    [['extra-argument'], /too many arguments/],
  ])('exits 2 with a clear message for %j', async (args, message) => {
    const { code, output } = await samsa(['inspect', ...args]);
    expect(code).toBe(2);
    expect(output).toMatch(message);
  });

  it('exits 2 without brokers from a flag or the environment', async () => {
    const { code, output } = await samsa(['inspect'], { KAFKA_BROKERS: '', SAMSA_KAFKA_SERVERS: '' });
    expect(code).toBe(2);
    expect(output).toMatch(/No Kafka brokers: pass --kafka-servers/);
  });
});

describePostgres('samsa inspect --store postgres://', (db) => {
  it('counts the keys of each state store in a Postgres schema, read-only', async () => {
    await fillStores({ type: 'postgres', url: db.url, schema: db.schema });
    const report = await inspectJson('--no-schemas', '--store', db.url, '--store-schema', db.schema);
    expect(report.stores).toEqual([
      { store: 'carts', keys: 3, expired: 0 },
      { store: 'sessions', keys: 0, expired: 2 },
    ]);
    const { code, output } = await samsa(['inspect', '--store', db.url, '--store-schema', 'no_such_schema']);
    expect(code).toBe(2);
    expect(output).toMatch(/has no samsa_state table in schema "no_such_schema"/);
  });
});
