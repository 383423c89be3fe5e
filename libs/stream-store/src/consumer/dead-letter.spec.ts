import { Logger } from '@nestjs/common';
import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it, vi } from 'vitest';
import { DeadLetterWriteError } from '../errors/dead-letter-write.error.js';
import { classifyFailure } from '../errors/failure-kind.js';
import type {
  KafkaRecord,
  ProduceRequest,
  RecordHeaders,
  StreamAdmin,
} from '../kafka/kafka-client.interface.js';
import { TopicManager } from '../publisher/topic-manager.js';
import { DEAD_LETTER_SEND_BYTES, DeadLetterWriter } from './dead-letter.js';
import {
  boundedText,
  DEAD_LETTER_HEADERS,
  DEAD_LETTER_OVERHEAD_BYTES,
  DEAD_LETTER_TEXT_LIMITS,
  deadLetterHeaders,
} from './dead-letter-headers.js';

vi.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);

function record(overrides: Partial<KafkaRecord> = {}): KafkaRecord {
  return {
    topic: 'orders',
    partition: 0,
    offset: '7',
    key: Buffer.from('k'),
    value: Buffer.from('v'),
    headers: Object.create(null) as RecordHeaders,
    timestamp: '0',
    ...overrides,
  };
}

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

/** Bytes a header set adds: names and values (the record framing is a few bytes per header more). */
function headerBytes(headers: RecordHeaders): number {
  return Object.entries(headers).reduce((sum, [name, value]) => sum + utf8(name) + utf8(String(value)), 0);
}

function fakeAdmin(existing: string[], configs: Record<string, Record<string, string>>, partitions = 1) {
  return {
    listTopics: vi.fn(async () => existing),
    createTopics: vi.fn(async () => true),
    describeTopics: vi.fn(
      async (topics: string[]) =>
        new Map(
          topics.map((t) => [
            t,
            Array.from({ length: partitions }, (_, partition) => ({ partition, leader: 1, replicas: [1] })),
          ]),
        ),
    ),
    describeTopicConfigs: vi.fn(
      async (topics: string[]) => new Map(topics.map((t) => [t, configs[t] ?? {}])),
    ),
    describeCluster: vi.fn(async () => ({
      brokers: [{ nodeId: 1, host: 'h', port: 1 }],
      controller: 1,
      clusterId: 'c',
    })),
  };
}

function writer(
  send: (requests: ProduceRequest[]) => Promise<unknown>,
  admin = fakeAdmin(['orders.dlq'], {}),
) {
  const producer = { connect: vi.fn(), disconnect: vi.fn(), send: vi.fn(send) };
  const topics = new TopicManager(admin as unknown as StreamAdmin, { partitions: 3, replicationFactor: 1 });
  return { producer, admin, deadLetters: new DeadLetterWriter(producer as never, topics, '') };
}

describe('boundedText', () => {
  it('keeps text that fits', () => {
    expect(boundedText('short', 10)).toBe('short');
  });

  it('cuts between UTF-8 characters and says how long the text was, within the bound', () => {
    const text = 'é😀'.repeat(1000); // 2 + 4 bytes each
    const bounded = boundedText(text, 100);
    expect(utf8(bounded)).toBeLessThanOrEqual(100);
    expect(bounded.endsWith(`…[${utf8(text)} bytes]`)).toBe(true);
    expect(bounded).not.toContain('\uFFFD');
    expect(text.startsWith(bounded.slice(0, bounded.indexOf('…')))).toBe(true);
  });
});

describe('deadLetterHeaders', () => {
  it('adds at most DEAD_LETTER_OVERHEAD_BYTES, however long the error, its class and the handler', () => {
    class AVeryLongErrorClassNameThatGoesOnAndOn extends Error {}
    Object.defineProperty(AVeryLongErrorClassNameThatGoesOnAndOn, 'name', { value: 'E'.repeat(10_000) });
    const huge = new AVeryLongErrorClassNameThatGoesOnAndOn(`Unknown schema ${'A'.repeat(5_000_000)}:1`);
    const headers = deadLetterHeaders(
      {
        record: record({ topic: 't'.repeat(249), offset: '9223372036854775807' }),
        error: huge,
        attempts: 1e9,
        handler: 'h'.repeat(10_000),
      },
      new Date(0),
    );
    const message = String(headers[DEAD_LETTER_HEADERS.errorMessage]);
    expect(utf8(message)).toBeLessThanOrEqual(DEAD_LETTER_TEXT_LIMITS.errorMessage);
    expect(message.startsWith('Unknown schema AAAA')).toBe(true);
    expect(message.endsWith(`…[${utf8(huge.message)} bytes]`)).toBe(true);
    expect(utf8(String(headers[DEAD_LETTER_HEADERS.errorClass]))).toBeLessThanOrEqual(128);
    expect(utf8(String(headers[DEAD_LETTER_HEADERS.handler]))).toBeLessThanOrEqual(256);
    // Framing: a varint length for the name and the value of each header, at most 3 bytes each here.
    expect(headerBytes(headers) + Object.keys(headers).length * 6).toBeLessThanOrEqual(
      DEAD_LETTER_OVERHEAD_BYTES,
    );
  });

  it('copies the record headers into a null-prototype object: __proto__ stays an ordinary header', () => {
    const own = Object.create(null) as RecordHeaders;
    own['__proto__'] = Buffer.from('evil');
    own.trace = [Buffer.from('a'), Buffer.from('b')] as unknown as Buffer; // a repeated header
    const headers = deadLetterHeaders(
      { record: record({ headers: own }), error: new Error('x'), attempts: 1, handler: 'h' },
      new Date(0),
    );
    expect(Object.getPrototypeOf(headers)).toBeNull();
    expect(headers['__proto__']).toEqual(Buffer.from('evil'));
    expect(headers.trace).toEqual([Buffer.from('a'), Buffer.from('b')]);
    expect(headers[DEAD_LETTER_HEADERS.errorMessage]).toBe('x');
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(({} as Record<string, unknown>).evil).toBeUndefined();
  });

  it('replaces samsa.dlq.* headers a record already has, so dead letters do not grow', () => {
    const own = Object.create(null) as RecordHeaders;
    own[DEAD_LETTER_HEADERS.errorMessage] = 'old reason';
    const headers = deadLetterHeaders(
      { record: record({ headers: own }), error: new Error('new reason'), attempts: 1, handler: 'h' },
      new Date(0),
    );
    expect(headers[DEAD_LETTER_HEADERS.errorMessage]).toBe('new reason');
  });

  it('describes thrown values that are not errors, even ones without a text form', () => {
    const letter = (error: unknown) =>
      deadLetterHeaders({ record: record(), error, attempts: 1, handler: 'h' }, new Date(0));
    expect(letter('plain text')[DEAD_LETTER_HEADERS.errorMessage]).toBe('plain text');
    expect(letter(Object.create(null))[DEAD_LETTER_HEADERS.errorClass]).toBe('object');
  });
});

describe('DeadLetterWriter', () => {
  it('keeps key, value and headers, and sends large letters in separate requests, in order', async () => {
    const { producer, deadLetters } = writer(async () => []);
    const big = Buffer.alloc(DEAD_LETTER_SEND_BYTES * 0.6);
    const records = ['1', '2', '3'].map((offset) => record({ offset, value: big }));
    await deadLetters.send(
      records.map((r) => ({ record: r, error: new Error('bad'), attempts: 0, handler: 'h' })),
    );
    const sends = producer.send.mock.calls.map(([requests]) => requests);
    expect(sends).toHaveLength(3);
    expect(sends.map((requests) => requests[0].messages[0].headers?.[DEAD_LETTER_HEADERS.offset])).toEqual([
      '1',
      '2',
      '3',
    ]);
    const [first] = sends[0][0].messages;
    expect(sends[0][0].topic).toBe('orders.dlq');
    expect(first.key).toEqual(Buffer.from('k'));
    expect(first.value === big).toBe(true); // the very bytes consumed, not a copy
  });

  it('puts small letters in one request', async () => {
    const { producer, deadLetters } = writer(async () => []);
    const records = Array.from({ length: 50 }, (_, i) => record({ offset: String(i) }));
    await deadLetters.send(
      records.map((r) => ({ record: r, error: new Error('bad'), attempts: 0, handler: 'h' })),
    );
    expect(producer.send).toHaveBeenCalledTimes(1);
  });

  it('creates a missing dead-letter topic like its source, with room for the dead-letter headers', async () => {
    const admin = fakeAdmin(
      ['orders'],
      { orders: { 'max.message.bytes': '4194304', 'segment.bytes': '8388608' } },
      6,
    );
    const { deadLetters } = writer(async () => [], admin);
    await deadLetters.send([{ record: record(), error: new Error('bad'), attempts: 0, handler: 'h' }]);
    expect(admin.createTopics).toHaveBeenCalledWith([
      {
        topic: 'orders.dlq',
        partitions: 6,
        replicationFactor: 1,
        config: {
          'max.message.bytes': String(4194304 + DEAD_LETTER_OVERHEAD_BYTES),
          'segment.bytes': String(8388608 + DEAD_LETTER_OVERHEAD_BYTES),
        },
      },
    ]);
  });

  it('leaves the broker default to a dead-letter topic whose source has none of its own', async () => {
    const admin = fakeAdmin(['orders'], {}, 2);
    const { deadLetters } = writer(async () => [], admin);
    await deadLetters.send([{ record: record(), error: new Error('bad'), attempts: 0, handler: 'h' }]);
    expect(admin.createTopics).toHaveBeenCalledWith([
      { topic: 'orders.dlq', partitions: 2, replicationFactor: 1, config: {} },
    ]);
  });

  it('leaves an existing dead-letter topic alone', async () => {
    const admin = fakeAdmin(['orders', 'orders.dlq'], { orders: { 'max.message.bytes': '4194304' } });
    const { deadLetters } = writer(async () => [], admin);
    await deadLetters.send([{ record: record(), error: new Error('bad'), attempts: 0, handler: 'h' }]);
    expect(admin.createTopics).not.toHaveBeenCalled();
    expect(admin.describeTopicConfigs).not.toHaveBeenCalled();
  });

  it('a refusal by Kafka is a DeadLetterWriteError of kind refused, with the client error as cause', async () => {
    const tooLarge = new KafkaJSProtocolError({
      type: 'MESSAGE_TOO_LARGE',
      code: 10,
      retriable: false,
      message: 'too large',
    } as never);
    const { deadLetters } = writer(async () => {
      throw tooLarge;
    });
    const error = await deadLetters
      .send([{ record: record(), error: new Error('bad'), attempts: 0, handler: 'h' }])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(DeadLetterWriteError);
    expect(error).toMatchObject({ failureKind: 'refused', retriable: false, cause: tooLarge });
    expect(classifyFailure(error)).toBe('refused');
    expect((error as Error).message).toContain('orders[0]@7');
    expect((error as Error).message).toContain('max.message.bytes');
  });

  it('an unreachable broker is a DeadLetterWriteError of kind infrastructure', async () => {
    const down = new KafkaJSNumberOfRetriesExceeded(
      new KafkaJSConnectionError('Connection error: ECONNREFUSED'),
      {
        retryCount: 5,
        retryTime: 1000,
      },
    );
    const { deadLetters } = writer(async () => {
      throw down;
    });
    const error = await deadLetters
      .send([{ record: record(), error: new Error('bad'), attempts: 0, handler: 'h' }])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toMatchObject({ failureKind: 'infrastructure', retriable: true, cause: down });
    expect(classifyFailure(error)).toBe('infrastructure');
  });

  it('a client that cannot encode the letter at all is refused too: writing it again cannot help', async () => {
    const { deadLetters } = writer(async () => {
      throw new TypeError('The "string" argument must be of type string');
    });
    await expect(
      deadLetters.send([{ record: record(), error: new Error('bad'), attempts: 0, handler: 'h' }]),
    ).rejects.toMatchObject({ failureKind: 'refused' });
  });
});
