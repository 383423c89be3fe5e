// Smoke tests of the test harness itself: the real broker, SQLite files and Postgres schemas.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DataSource, EntitySchema } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumeAll, createKafka, createTopic, kafkaBrokers, produce, uniqueName } from '../support/kafka.js';
import { describePostgres, pgQuery } from '../support/postgres.js';

interface Note {
  id: number;
  body: string;
}

const NoteEntity = new EntitySchema<Note>({
  name: 'Note',
  tableName: 'harness_note',
  columns: {
    id: { type: Number, primary: true, generated: true },
    body: { type: String },
  },
});

describe('Kafka harness', () => {
  it('provides the brokers of a running cluster', async () => {
    expect(kafkaBrokers().length).toBeGreaterThan(0);
    // What processes spawned by tests read (set by the global setup when it was unset).
    expect(process.env.KAFKA_BROKERS).toBe(kafkaBrokers().join(','));
    const admin = createKafka().admin();
    await admin.connect();
    try {
      const { brokers } = await admin.describeCluster();
      expect(brokers).toHaveLength(1);
    } finally {
      await admin.disconnect();
    }
  });

  it('exchanges a message between a producer and a consumer', async () => {
    const topic = await createTopic(uniqueName('harness-exchange'));
    await produce(topic, [{ key: 'k1', value: 'hello', headers: { h: 'v' } }]);

    const [message] = await consumeAll(topic, 1, { timeoutMs: 30_000 });

    expect(message.key?.toString()).toBe('k1');
    expect(message.value?.toString()).toBe('hello');
    expect(message.headers.h?.toString()).toBe('v');
  });

  it('creates and lists a topic with 3 partitions', async () => {
    const topic = await createTopic(uniqueName('harness-partitions'), 3, { 'cleanup.policy': 'compact' });
    const admin = createKafka().admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).toContain(topic);
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(topics[0].partitions).toHaveLength(3);
    } finally {
      await admin.disconnect();
    }
  });

  it('rejects consumeAll on timeout, saying how many messages arrived', async () => {
    const topic = await createTopic(uniqueName('harness-timeout'));
    await produce(topic, ['only one']);
    await expect(consumeAll(topic, 2, { timeoutMs: 3_000 })).rejects.toThrow(/1 of 2 messages/);
  });
});

describe('TypeORM on a SQLite file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'samsa-sqlite-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips a row', async () => {
    const database = join(dir, 'harness.sqlite');
    const ds = new DataSource({
      type: 'better-sqlite3',
      database,
      entities: [NoteEntity],
      synchronize: true,
    });
    await ds.initialize();
    try {
      const saved = await ds.getRepository(NoteEntity).save({ body: 'on disk' });
      expect(await ds.getRepository(NoteEntity).findOneBy({ id: saved.id })).toEqual({
        id: saved.id,
        body: 'on disk',
      });
    } finally {
      await ds.destroy();
    }
    expect(existsSync(database)).toBe(true);
  });
});

describePostgres('TypeORM on Postgres', (db) => {
  it('round-trips a row inside the suite schema', async () => {
    const ds = new DataSource({
      type: 'postgres',
      url: db.url,
      schema: db.schema,
      entities: [NoteEntity],
      synchronize: true,
    });
    await ds.initialize();
    try {
      const saved = await ds.getRepository(NoteEntity).save({ body: 'in postgres' });
      expect(await ds.getRepository(NoteEntity).findOneBy({ id: saved.id })).toEqual({
        id: saved.id,
        body: 'in postgres',
      });
    } finally {
      await ds.destroy();
    }

    const { rows } = await pgQuery(
      `select table_schema from information_schema.tables where table_name = 'harness_note'`,
    );
    expect(rows.map((r: { table_schema: string }) => r.table_schema)).toContain(db.schema);
  });

  it('schemaUrl puts plain pg clients into the suite schema', async () => {
    const client = new pg.Client({ connectionString: db.schemaUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ schema: string }>('select current_schema() as schema');
      expect(rows[0].schema).toBe(db.schema);
    } finally {
      await client.end();
    }
  });
});
