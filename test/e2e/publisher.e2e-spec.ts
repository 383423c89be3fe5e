import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessageValidationError, Schema } from '@samsa/schema';
import {
  KafkajsClient,
  KeyPartitioner,
  StreamPublisher,
  StreamStoreModule,
  type StreamStoreModuleOptions,
} from '@samsa/stream-store';
import { IsInt, IsString } from 'class-validator';
import { ConfigResourceTypes, logLevel } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  consumeAll,
  createKafka,
  createTopic,
  kafkaBrokers,
  produce,
  uniqueName,
  waitFor,
  type ConsumedMessage,
} from '../support/kafka.js';
import { ContentMessage } from './fixtures/content.message.js';

@Schema('Retained', { version: 1, retention: 3_600 })
class RetainedMessage {
  @IsInt() n!: number;
}

@Schema('OrderPlaced', { version: 1, retention: 7_200, streams: ['orders.placed'] })
class OrderPlaced {
  @IsString() id!: string;
}

/** `Utils.murmur2` values asserted by Kafka's Java `UtilsTest.testMurmur2`. */
const JAVA_MURMUR2: Array<[string, number]> = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
];

const content = (foo: string, seq?: number) => Object.assign(new ContentMessage(), { foo, seq });
const data = (message: ConsumedMessage) =>
  (JSON.parse(String(message.value)) as { data: { foo: string; seq?: number } }).data;

const admin = createKafka().admin();
beforeAll(() => admin.connect());
afterAll(() => admin.disconnect());

const apps: INestApplicationContext[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function startApp(prefix: string, extra: Partial<StreamStoreModuleOptions> = {}) {
  @Module({
    imports: [
      StreamStoreModule.forRoot({
        brokers: kafkaBrokers(),
        clientId: uniqueName('publisher'),
        topicPrefix: prefix,
        topics: { partitions: 4, replicationFactor: 3 },
        ...extra,
      }),
    ],
  })
  class PublisherTestModule {}
  const app = await NestFactory.createApplicationContext(PublisherTestModule, { logger: ['error', 'warn'] });
  apps.push(app);
  return { app, publisher: app.get(StreamPublisher) };
}

describe('StreamPublisher on real Kafka', () => {
  it('puts keyed messages where the Java client would, with key, headers and the envelope', async () => {
    const prefix = `${uniqueName('keys')}.`;
    await createTopic(`${prefix}keyed`, 7);
    const { publisher } = await startApp(prefix);
    const partitioner = new KeyPartitioner();

    const results = [];
    for (const [key] of JAVA_MURMUR2) {
      results.push(await publisher.publish('keyed', content(key), { key, headers: { trace: `t-${key}` } }));
    }
    const consumed = await consumeAll(`${prefix}keyed`, JAVA_MURMUR2.length);

    for (const [index, [key, hash]] of JAVA_MURMUR2.entries()) {
      const message = consumed.find((candidate) => candidate.key?.toString() === key);
      const javaPartition = (hash & 0x7fffffff) % 7;
      expect(message?.partition, key).toBe(javaPartition);
      expect(partitioner.partition(key, 7)).toBe(javaPartition);
      expect(results[index]).toEqual({
        topic: `${prefix}keyed`,
        partition: javaPartition,
        offset: message?.offset,
      });
      expect(message?.headers.trace?.toString()).toBe(`t-${key}`);
      expect(JSON.parse(String(message?.value))).toEqual({ schema: 'Content:1', data: { foo: key } });
    }

    // KafkaJS's own Java-compatible partitioner agrees (the test helper produces with it).
    await produce(
      `${prefix}keyed`,
      JAVA_MURMUR2.map(([key]) => ({ key, value: 'plain' })),
    );
    const all = await consumeAll(`${prefix}keyed`, JAVA_MURMUR2.length * 2);
    for (const message of all.filter((m) => m.value?.toString() === 'plain')) {
      expect(message.partition).toBe(partitioner.partition(message.key ?? '', 7));
    }
  });

  it('publishes raw values, keyless messages and tombstones', async () => {
    const prefix = `${uniqueName('raw')}.`;
    const { publisher } = await startApp(prefix);
    const first = await publisher.publishRaw('raw', Buffer.from('bytes'), { key: 'k', partition: 3 });
    await publisher.publishRaw('raw', null, { key: 'k', partition: 3 });
    await publisher.publish('raw', content('keyless'));
    expect(first).toEqual({ topic: `${prefix}raw`, partition: 3, offset: '0' });
    const consumed = await consumeAll(`${prefix}raw`, 3);
    const keyed = consumed.filter((m) => m.key?.toString() === 'k');
    // The explicit partition wins over the key's.
    expect(keyed.map((m) => [m.partition, m.value?.toString() ?? null])).toEqual([
      [3, 'bytes'],
      [3, null],
    ]);
    expect(consumed.some((m) => m.key === null && data(m).foo === 'keyless')).toBe(true);
  });

  it('keeps each set contiguous and in order on its key’s partition under concurrency', async () => {
    const prefix = `${uniqueName('sets')}.`;
    await createTopic(`${prefix}sets`, 3);
    const { publisher } = await startApp(prefix);
    const keys = Array.from({ length: 8 }, (_, i) => `user-${i}`);
    const size = 25;
    const results = await Promise.all(
      keys.flatMap((key) =>
        [0, 1].map((round) =>
          publisher.publishSet(
            'sets',
            Array.from({ length: size }, (_, seq) => content(`${key}/${round}`, seq)),
            { key },
          ),
        ),
      ),
    );
    const consumed = await consumeAll(`${prefix}sets`, keys.length * 2 * size);
    const partitioner = new KeyPartitioner();

    for (const key of keys) {
      for (const round of [0, 1]) {
        const set = consumed.filter((m) => data(m).foo === `${key}/${round}`);
        expect(set).toHaveLength(size);
        expect(new Set(set.map((m) => m.partition))).toEqual(new Set([partitioner.partition(key, 3)]));
        const offsets = set.map((m) => Number(m.offset)).sort((a, b) => a - b);
        // Contiguous: nothing of another set in between, and in the order given.
        expect(offsets[size - 1] - offsets[0]).toBe(size - 1);
        const byOffset = [...set].sort((a, b) => Number(a.offset) - Number(b.offset));
        expect(byOffset.map((m) => data(m).seq)).toEqual(Array.from({ length: size }, (_, seq) => seq));
        const result = results[keys.indexOf(key) * 2 + round];
        expect(result).toEqual({
          topic: `${prefix}sets`,
          partition: set[0].partition,
          offset: String(offsets[0]),
        });
      }
    }
  });

  it('rejects a set without a key or partition, or with an invalid message, before sending anything', async () => {
    const prefix = `${uniqueName('badset')}.`;
    const { publisher } = await startApp(prefix);
    await expect(publisher.publishSet('bad', [content('a')], {})).rejects.toThrow(
      /needs a key or a partition/,
    );
    await expect(
      publisher.publishSet('bad', [content('a'), content(42 as never)], { key: 'k' }),
    ).rejects.toBeInstanceOf(MessageValidationError);
    expect(await admin.listTopics()).not.toContain(`${prefix}bad`);
  });

  it('rejects an invalid DTO with a MessageValidationError before sending: the topic is not even created', async () => {
    const prefix = `${uniqueName('invalid')}.`;
    const { publisher } = await startApp(prefix);
    const error = await publisher
      .publish('invalid', content(42 as never), { key: 'k' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessageValidationError);
    expect((error as MessageValidationError).issues.map((issue) => issue.path)).toEqual(['foo']);
    expect(await admin.listTopics()).not.toContain(`${prefix}invalid`);
  });

  it('creates a missing topic once for 20 concurrent first publishes, with the schema’s retention', async () => {
    const prefix = `${uniqueName('create')}.`;
    const client = new KafkajsClient({
      brokers: kafkaBrokers(),
      clientId: uniqueName('spy'),
      logLevel: logLevel.NOTHING,
    });
    const streamAdmin = client.admin();
    const createTopics = vi.spyOn(streamAdmin, 'createTopics');
    vi.spyOn(client, 'admin').mockReturnValue(streamAdmin);
    const { publisher } = await startApp(prefix, { client });

    await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        publisher.publish('retained', Object.assign(new RetainedMessage(), { n }), { key: `k${n}` }),
      ),
    );

    const topic = `${prefix}retained`;
    expect(
      createTopics.mock.calls.filter(([specs]) => specs.some((spec) => spec.topic === topic)),
    ).toHaveLength(1);
    expect(createTopics).toHaveBeenCalledWith([
      { topic, partitions: 4, replicationFactor: 1, config: { 'retention.ms': '3600000' } },
    ]);
    expect(await admin.fetchTopicOffsets(topic)).toHaveLength(4);
    expect(await written(topic)).toBe(20);
    expect(await retentionOf(topic)).toBe('3600000');
    // Later publishes stay off the admin.
    await publisher.publish('retained', Object.assign(new RetainedMessage(), { n: 21 }));
    expect(
      createTopics.mock.calls.filter(([specs]) => specs.some((spec) => spec.topic === topic)),
    ).toHaveLength(1);
  });

  it('creates the streams of registered schemas at startup', async () => {
    const prefix = `${uniqueName('streams')}.`;
    await startApp(prefix, { schemas: [OrderPlaced], registerSchemas: false });
    expect(await admin.listTopics()).toContain(`${prefix}orders.placed`);
    expect(await retentionOf(`${prefix}orders.placed`)).toBe('7200000');
  });
});

describe('PublishBatch on real Kafka', () => {
  it('sends by itself once maxMessages are buffered', async () => {
    const prefix = `${uniqueName('bysize')}.`;
    const { publisher } = await startApp(prefix);
    const batch = publisher.batch({ maxMessages: 5, lingerMs: 60_000 });
    for (let seq = 0; seq < 12; seq++) batch.append('size', content('s', seq), { key: 'one-key' });
    // Two full batches go out without a flush; two messages wait for more.
    await waitFor(async () => (await written(`${prefix}size`)) === 10, { message: '10 messages written' });
    const consumed = await consumeAll(`${prefix}size`, 10);
    expect(consumed.map((m) => data(m).seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(batch.buffered).toBe(2);
    await batch.flush();
    expect((await consumeAll(`${prefix}size`, 12)).map((m) => data(m).seq)).toEqual(
      Array.from({ length: 12 }, (_, i) => i),
    );
  });

  it('sends by itself lingerMs after the first append', async () => {
    const prefix = `${uniqueName('linger')}.`;
    const { publisher } = await startApp(prefix);
    const batch = publisher.batch({ maxMessages: 1_000, lingerMs: 300 });
    batch.append('linger', content('a'), { key: 'k' });
    batch.append('linger', content('b'), { key: 'k' });
    batch.append('other', content('c'));
    expect(batch.buffered).toBe(3);
    await waitFor(
      async () => (await written(`${prefix}linger`)) === 2 && (await written(`${prefix}other`)) === 1,
      {
        message: 'the lingering messages written',
      },
    );
    const [linger, other] = await Promise.all([
      consumeAll(`${prefix}linger`, 2),
      consumeAll(`${prefix}other`, 1),
    ]);
    expect(linger.map((m) => data(m).foo)).toEqual(['a', 'b']);
    expect(data(other[0]).foo).toBe('c');
    expect(batch.buffered).toBe(0);
  });

  it('flushes when an `await using` block throws', async () => {
    const prefix = `${uniqueName('dispose')}.`;
    const { publisher } = await startApp(prefix);
    const work = async () => {
      await using batch = publisher.batch({ maxMessages: 1_000, lingerMs: 60_000 });
      batch.append('dispose', content('a', 1), { key: 'k' });
      batch.append('dispose', content('b', 2), { key: 'k' });
      throw new Error('the block failed');
    };
    await expect(work()).rejects.toThrow('the block failed');
    // Sent during disposal, not by the (one minute) linger.
    expect(await written(`${prefix}dispose`)).toBe(2);
    expect((await consumeAll(`${prefix}dispose`, 2)).map((m) => data(m).foo)).toEqual(['a', 'b']);
  });

  it('holds a fast appending loop back past maxQueuedBytes, losing nothing and keeping the order', async () => {
    const prefix = `${uniqueName('backpressure')}.`;
    const { publisher } = await startApp(prefix);
    const batch = publisher.batch({ maxMessages: 50, lingerMs: 60_000, maxQueuedBytes: 4_096 });
    let waits = 0;
    for (let seq = 0; seq < 600; seq++) {
      const room = batch.append('backpressure', content('p', seq), { key: 'one-key' });
      if (room) {
        waits++;
        await room;
      }
    }
    await batch.flush();
    expect(waits).toBeGreaterThan(0);
    const consumed = await consumeAll(`${prefix}backpressure`, 600);
    expect(consumed.map((m) => data(m).seq)).toEqual(Array.from({ length: 600 }, (_, i) => i));
  });

  it('throws on an invalid message at append, buffering nothing', async () => {
    const prefix = `${uniqueName('badappend')}.`;
    const { publisher } = await startApp(prefix);
    const batch = publisher.batch();
    expect(() => batch.append('bad', content(1 as never))).toThrow(MessageValidationError);
    expect(batch.buffered).toBe(0);
    await batch.flush();
    expect(await admin.listTopics()).not.toContain(`${prefix}bad`);
  });
});

/** Messages in a topic (0 while it does not exist). */
async function written(topic: string): Promise<number> {
  if (!(await admin.listTopics()).includes(topic)) return 0;
  return (await admin.fetchTopicOffsets(topic)).reduce((sum, { high }) => sum + Number(high), 0);
}

async function retentionOf(topic: string): Promise<string | undefined> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }],
  });
  return resources[0].configEntries.find((entry) => entry.configName === 'retention.ms')?.configValue;
}
