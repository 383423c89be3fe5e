import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterHeaders } from '../../libs/stream-store/src/consumer/dead-letter-headers.js';
import type { KafkaRecord } from '../../libs/stream-store/src/kafka/kafka-client.interface.js';
import { consumeAll, createKafka, createTopic, produce, uniqueName } from '../support/kafka.js';
import { spawnWorker } from '../support/spawn-worker.js';

const CLI = 'libs/stream-store/src/cli/main.ts';
const prefix = `${uniqueName('dlq')}.`;
const orders = `${prefix}orders`;
const payments = `${prefix}payments`;
const retry = `${prefix}retry`;
const dlq = `${prefix}orders.dlq`;

class MessageValidationError extends Error {}

/** What failed: the record as its handler saw it, the error and the handler. */
const failures = [
  { topic: orders, partition: 0, error: new TypeError('a'), handler: 'OrdersController.onOrder' },
  { topic: orders, partition: 1, error: new TypeError('b'), handler: 'OrdersController.onOrder' },
  { topic: orders, partition: 2, error: new TypeError('c'), handler: 'OrdersController.onOrder' },
  {
    topic: orders,
    partition: 1,
    error: new MessageValidationError('d'),
    handler: 'OrdersController.onOrder',
  },
  {
    topic: orders,
    partition: 2,
    error: new MessageValidationError('e'),
    handler: 'OrdersController.onOrder',
  },
  { topic: payments, partition: 0, error: new TypeError('f'), handler: 'PaymentsController.onPayment' },
];

/** Runs the CLI; resolves with its exit code, stdout alone, and stdout + stderr. */
async function samsa(...args: string[]) {
  const worker = spawnWorker(CLI, {}, args);
  let stdout = '';
  worker.process.stdout?.on('data', (chunk) => (stdout += chunk));
  const code = await worker.exited;
  return { code, stdout, output: worker.output() };
}

async function samsaJson<T>(...args: string[]): Promise<T> {
  const { code, stdout, output } = await samsa(...args, '--json');
  expect(code, output).toBe(0);
  return JSON.parse(stdout) as T;
}

beforeAll(async () => {
  await Promise.all([
    createTopic(orders, 3),
    createTopic(payments, 1),
    createTopic(retry, 1),
    createTopic(dlq, 2),
  ]);
  // Dead letters as samsa writes them: the record's key, value and headers, plus the samsa.dlq.* headers.
  await produce(
    dlq,
    failures.map(({ topic, partition, error, handler }, index) => {
      const record: KafkaRecord = {
        topic,
        partition,
        offset: String(100 + index),
        key: Buffer.from(`key-${index}`),
        value: Buffer.from(`value-${index}`),
        headers: Object.assign(Object.create(null), { trace: `trace-${index}` }),
        timestamp: '0',
      };
      const headers = deadLetterHeaders(
        { record, error, attempts: 3, handler },
        new Date(Date.UTC(2026, 0, index + 1)),
      );
      return { partition: index % 2, key: record.key, value: record.value, headers };
    }),
  );
});

afterAll(async () => {
  const admin = createKafka().admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [orders, payments, retry, dlq] }).catch(() => undefined);
  await admin.disconnect();
});

interface Census {
  dlqTopic: string;
  groups: Array<{
    errorClass: string;
    handler: string;
    topic: string;
    count: number;
    first?: string;
    last?: string;
  }>;
}

interface Replay {
  group: string;
  dryRun: boolean;
  read: number;
  earlier: number;
  replayed: Record<string, number>;
  skipped: { filtered: number; noTopic: number };
}

describe('samsa dlq', () => {
  it('ls counts the dead letters by error class, handler and the topic they failed on', async () => {
    const census = await samsaJson<Census>('dlq', 'ls', dlq);
    expect(census.groups).toEqual([
      {
        errorClass: 'TypeError',
        handler: 'OrdersController.onOrder',
        topic: orders,
        count: 3,
        first: '2026-01-01T00:00:00.000Z',
        last: '2026-01-03T00:00:00.000Z',
      },
      {
        errorClass: 'MessageValidationError',
        handler: 'OrdersController.onOrder',
        topic: orders,
        count: 2,
        first: '2026-01-04T00:00:00.000Z',
        last: '2026-01-05T00:00:00.000Z',
      },
      {
        errorClass: 'TypeError',
        handler: 'PaymentsController.onPayment',
        topic: payments,
        count: 1,
        first: '2026-01-06T00:00:00.000Z',
        last: '2026-01-06T00:00:00.000Z',
      },
    ]);
  });

  it('replay --dry-run with --filter and --to counts what it would send, and sends nothing', async () => {
    const summary = await samsaJson<Replay>(
      'dlq',
      'replay',
      dlq,
      '--dry-run',
      '--filter',
      'error-class=TypeError',
      '--to',
      retry,
    );
    expect(summary).toMatchObject({
      dryRun: true,
      read: 6,
      replayed: { [retry]: 3 + 1 },
      skipped: { filtered: 2, noTopic: 0 },
    });
    const admin = createKafka().admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(retry).finally(() => admin.disconnect());
    expect(ends.map(({ high }) => high)).toEqual(['0']);
  });

  it('replay sends each letter back once, to its topic and partition, with its key, value and own headers', async () => {
    const first = await samsaJson<Replay>('dlq', 'replay', dlq);
    expect(first).toMatchObject({
      group: `samsa-dlq-replay.${dlq}`,
      dryRun: false,
      read: 6,
      earlier: 0,
      replayed: { [orders]: 5, [payments]: 1 },
      skipped: { filtered: 0, noTopic: 0 },
    });

    const replayed = [...(await consumeAll(orders, 5)), ...(await consumeAll(payments, 1))];
    const seen = replayed
      .map(({ topic, partition, key, value, headers }) => ({
        topic,
        partition,
        key: key?.toString(),
        value: value?.toString(),
        headers: Object.fromEntries(Object.entries(headers).map(([name, header]) => [name, String(header)])),
      }))
      .sort((a, b) => (a.key! < b.key! ? -1 : 1));
    expect(seen).toEqual(
      failures.map(({ topic, partition }, index) => ({
        topic,
        partition,
        key: `key-${index}`,
        value: `value-${index}`,
        headers: { trace: `trace-${index}` },
      })),
    );

    // The replay group committed what it sent: a second run sends nothing.
    const again = await samsa('dlq', 'replay', dlq);
    expect(again.code, again.output).toBe(0);
    expect(again.stdout).toContain(`Replayed 0 dead letters of 0 read from ${dlq}`);
    expect(again.stdout).toContain('6 passed over: replayed by earlier runs of this group');
  });
});
