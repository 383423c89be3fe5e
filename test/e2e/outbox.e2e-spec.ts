import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { encodeEnvelope } from '@samsa/schema';
import { DEAD_LETTER_HEADERS, StreamMetrics } from '@samsa/stream-store';
import { ConfigResourceTypes, type Admin, type KafkaMessage } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKafka, createTopic, produce, uniqueName, waitFor } from '../support/kafka.js';
import { startOutboxApp, type OutboxAppSettings } from './fixtures/outbox-app.js';
import { readTopic } from './fixtures/read-topic.js';

const KEYS = Array.from({ length: 12 }, (_, i) => `k${i}`);
/** Characters of padding per output: one output fits in `SMALL_BATCHES` bytes, two do not. */
const PADDING = 300;
const SMALL_BATCHES = { 'max.message.bytes': '700' };

let admin: Admin;
beforeAll(async () => {
  admin = createKafka().admin();
  await admin.connect();
});
afterAll(() => admin.disconnect());

const apps: INestApplication[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** Topics and app of one test: inputs and sinks of 3 partitions, the sinks created with `sinkConfigs`. */
async function setUp(sinkConfigs: { a?: Record<string, string>; b?: Record<string, string> }) {
  const prefix = `${uniqueName('outbox')}.`;
  const topic = (name: string) => prefix + name;
  // One at a time: concurrent creations make the client's wait for leaders fail now and then.
  await createTopic(topic('in-a'), 3);
  await createTopic(topic('in-b'), 3);
  await createTopic(topic('out-a'), 3, sinkConfigs.a);
  await createTopic(topic('out-b'), 3, sinkConfigs.b);
  const settings: OutboxAppSettings = {
    prefix,
    database: join(mkdtempSync(join(tmpdir(), 'samsa-outbox-')), 'state.sqlite'),
    groups: { a: uniqueName('outbox-a'), b: uniqueName('outbox-b') },
    padding: PADDING,
  };
  return { topic, settings };
}

async function start(settings: OutboxAppSettings): Promise<INestApplication> {
  const app = await startOutboxApp(settings);
  apps.push(app);
  return app;
}

/** `rounds` records per key, keys interleaved, as one input topic receives them. */
function inputs(rounds: number, keys = KEYS) {
  const messages = [];
  for (let round = 0; round < rounds; round++)
    for (const key of keys) messages.push({ key, value: encodeEnvelope('Event:1', { round }) });
  return messages;
}

/** Records of `group` committed on `topic` (Kafka offsets: moved after the SQL commit and its outputs). */
async function committed(group: string, topic: string): Promise<number> {
  const [{ partitions }] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return partitions.reduce((sum, { offset }) => sum + Math.max(0, Number(offset)), 0);
}

async function untilCommitted(group: string, topic: string, count: number): Promise<void> {
  await waitFor(async () => (await committed(group, topic)) >= count, {
    timeoutMs: 45_000,
    message: `${count} records of ${topic} committed by ${group}`,
  });
}

async function setConfig(topic: string, name: string, value: string): Promise<void> {
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name, value }] }],
  });
}

/** Each key's counts in the order the sink holds them (one key lives on one partition). */
function countsByKey(records: KafkaMessage[]): Map<string, number[]> {
  const counts = new Map<string, number[]>();
  for (const record of records) {
    const { data } = JSON.parse(record.value?.toString() ?? '{}') as { data: { key: string; count: number } };
    counts.set(data.key, [...(counts.get(data.key) ?? []), data.count]);
  }
  return counts;
}

/** Keys whose outputs are not exactly 1..expected in order, with what they were. */
function violations(records: KafkaMessage[], expected: number, keys = KEYS): Record<string, number[]> {
  const counts = countsByKey(records);
  const wrong: Record<string, number[]> = {};
  const want = Array.from({ length: expected }, (_, i) => i + 1).join(',');
  for (const key of keys) {
    const got = counts.get(key) ?? [];
    if (got.join(',') !== want) wrong[key] = got;
  }
  return wrong;
}

async function topicExists(topic: string): Promise<boolean> {
  return (await admin.listTopics()).includes(topic);
}

async function metric(app: INestApplication, name: string): Promise<number> {
  const value = await app.get(StreamMetrics).registry.getSingleMetric(name)?.get();
  return value?.values[0]?.value ?? Number.NaN;
}

describe('outbox relay on a real broker', () => {
  it('produces each committed output once, in order per key, across a sink refusing batches for a while', async () => {
    const { topic, settings } = await setUp({ a: SMALL_BATCHES });
    // The fault is real: the sink refuses two outputs in one batch, and takes one.
    const probe = await createTopic(topic('probe'), 1, SMALL_BATCHES);
    const output = {
      key: 'k0',
      value: encodeEnvelope('OutboxCounted:1', { key: 'k0', count: 1, pad: 'p'.repeat(PADDING) }),
    };
    await expect(produce(probe, [output, output])).rejects.toThrow(/larger than the max message size/);
    await produce(probe, [output]);

    await start(settings);
    const rounds = 8;
    await Promise.all([
      produce(topic('in-a'), inputs(rounds / 2)),
      produce(topic('in-b'), inputs(rounds / 2)),
    ]);
    // The refusing sink does not hold up its handler (checked last: the outputs tell more when it fails).
    const committedWhileRefusing = await waitFor(
      async () => (await committed(settings.groups.a, topic('in-a'))) >= (KEYS.length * rounds) / 2,
      { timeoutMs: 20_000, message: 'first half committed' },
    ).catch((error: unknown) => error);
    // The operator raises the limit; more input arrives.
    await setConfig(topic('out-a'), 'max.message.bytes', String(1024 * 1024));
    await Promise.all([
      produce(topic('in-a'), inputs(rounds / 2)),
      produce(topic('in-b'), inputs(rounds / 2)),
    ]);
    await untilCommitted(settings.groups.a, topic('in-a'), KEYS.length * rounds);
    await untilCommitted(settings.groups.b, topic('in-b'), KEYS.length * rounds);

    const [outA, outB] = await Promise.all([readTopic(topic('out-a')), readTopic(topic('out-b'))]);
    expect(outA).toHaveLength(KEYS.length * rounds);
    expect(violations(outA, rounds)).toEqual({});
    // The handler whose sink never failed: exactly once and in order too.
    expect(outB).toHaveLength(KEYS.length * rounds);
    expect(violations(outB, rounds)).toEqual({});
    expect(await topicExists(topic('out-a.dlq'))).toBe(false);
    expect(committedWhileRefusing).toBe(true);
  });

  it('dead-letters the one output its sink refuses for good; the other outputs and handlers flow', async () => {
    const { topic, settings } = await setUp({ a: { 'max.message.bytes': '4096' } });
    const app = await start({ ...settings, padOf: (key) => (key === 'huge' ? 20_000 : 100) });
    const rounds = 4;
    const first = inputs(rounds / 2);
    const second = inputs(rounds / 2);
    await Promise.all([
      produce(topic('in-a'), [
        ...first,
        { key: 'huge', value: encodeEnvelope('Event:1', { round: 0 }) },
        ...second,
      ]),
      produce(topic('in-b'), [...first, ...second]),
    ]);
    const total = KEYS.length * rounds;
    await untilCommitted(settings.groups.a, topic('in-a'), total + 1);
    await untilCommitted(settings.groups.b, topic('in-b'), total);

    const [outA, outB] = await Promise.all([readTopic(topic('out-a')), readTopic(topic('out-b'))]);
    expect(outA).toHaveLength(total);
    expect(violations(outA, rounds)).toEqual({});
    expect(outB).toHaveLength(total);
    expect(violations(outB, rounds)).toEqual({});

    const letters = await readTopic(topic('out-a.dlq'));
    expect(letters).toHaveLength(1);
    const [letter] = letters;
    expect(letter.key?.toString()).toBe('huge');
    expect(countsByKey(letters).get('huge')).toEqual([1]);
    expect(letter.value?.length).toBeGreaterThan(20_000);
    const header = (name: string) => letter.headers?.[name]?.toString();
    expect(header(DEAD_LETTER_HEADERS.topic)).toBe(topic('out-a'));
    expect(header(DEAD_LETTER_HEADERS.errorClass)).toBe('OutputRefusedError');
    expect(header(DEAD_LETTER_HEADERS.errorMessage)).toMatch(/max\.message\.bytes of .*out-a/);
    expect(header(DEAD_LETTER_HEADERS.handler)).toContain(settings.groups.a);
    expect(await metric(app, 'samsa_outbox_dead_lettered_total')).toBe(1);
    expect(await metric(app, 'samsa_outbox_pending')).toBe(0);
  });

  it('shows the backlog in its metrics while outputs cannot go out, and empties it once they can', async () => {
    const { topic, settings } = await setUp({ a: { 'max.message.bytes': '4096' } });
    // Its dead-letter topic refuses it too: the output waits, and the ones after it on its topic.
    await createTopic(topic('out-a.dlq'), 3, { 'max.message.bytes': '4096' });
    const app = await start({ ...settings, padOf: (key) => (key === 'huge' ? 20_000 : 100) });
    await produce(topic('in-a'), [
      { key: 'huge', value: encodeEnvelope('Event:1', { round: 0 }) },
      ...inputs(2),
    ]);
    await produce(topic('in-b'), inputs(2));

    await waitFor(async () => (await metric(app, 'samsa_outbox_pending')) >= 1, {
      timeoutMs: 30_000,
      message: 'a pending output',
    });
    await untilCommitted(settings.groups.b, topic('in-b'), KEYS.length * 2);
    const ageThen = await metric(app, 'samsa_outbox_oldest_age_seconds');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await metric(app, 'samsa_outbox_pending')).toBeGreaterThanOrEqual(1);
    expect(await metric(app, 'samsa_outbox_oldest_age_seconds')).toBeGreaterThan(ageThen);
    expect(await metric(app, 'samsa_outbox_oldest_age_seconds')).toBeGreaterThan(1);
    // The other handler's sink was never held up.
    expect(violations(await readTopic(topic('out-b')), 2)).toEqual({});

    await setConfig(topic('out-a.dlq'), 'max.message.bytes', String(1024 * 1024));
    await waitFor(async () => (await metric(app, 'samsa_outbox_pending')) === 0, {
      timeoutMs: 30_000,
      message: 'the backlog emptied',
    });
    await untilCommitted(settings.groups.a, topic('in-a'), KEYS.length * 2 + 1);
    expect(await metric(app, 'samsa_outbox_oldest_age_seconds')).toBe(0);
    expect(violations(await readTopic(topic('out-a')), 2)).toEqual({});
    expect((await readTopic(topic('out-a.dlq'))).map((record) => record.key?.toString())).toEqual(['huge']);
  });
});
