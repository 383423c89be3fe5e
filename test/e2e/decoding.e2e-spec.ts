import {
  Catch,
  Controller,
  Module,
  UseFilters,
  type INestApplication,
  type RpcExceptionFilter,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, Payload } from '@nestjs/microservices';
import { encodeEnvelope, MAX_DATA_DEPTH } from '@samsa/schema';
import {
  DEAD_LETTER_HEADERS,
  StreamContext,
  StreamHandler,
  StreamMetrics,
  StreamRecord,
  StreamStoreModule,
  StreamStoreServer,
  type KafkaRecord,
} from '@samsa/stream-store';
import { type Observable, of } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CapturingLogger } from './fixtures/capturing-logger.js';
import { ContentMessage } from './fixtures/content.message.js';
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

// One app, one topic per concern; every handler has its own group and sees its topic from the start.
const prefix = `${uniqueName('decoding')}.`;
const appId = uniqueName('decoding-app');
const topic = { mixed: `${prefix}mixed`, poison: `${prefix}poison`, failing: `${prefix}failing` };

const content = (foo: string, seq: number) => encodeEnvelope('Content:1', { foo, seq });
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const invalidUtf8 = Buffer.concat([
  Buffer.from('{"schema":"Content:1","data":{"foo":"'),
  Buffer.from([0xc3, 0x28]),
  Buffer.from('","seq":1}}'),
]);
const tooDeep = Buffer.from(`{"schema":"Content:1","data":{"foo":"x","seq":2,"deep":${nested(100_000)}}}`);
const untypedDeep = Buffer.from(`{"schema":"Any:1","data":${nested(MAX_DATA_DEPTH + 1)}}`);

/** Offsets of `mixed`, in production order. */
const mixed = [
  { name: 'envelope', value: content('first', 1) },
  { name: 'binary', value: Buffer.from([0xff, 0x00, 0x01]) },
  { name: 'not-json', value: Buffer.from('{not json') },
  { name: 'tombstone', value: null },
  { name: 'empty', value: Buffer.alloc(0) },
  { name: 'last', value: content('last', 2) },
];

/** Everything the handlers received, by handler. */
const received = new Map<string, Array<{ offset: string; value: unknown }>>();
const receive = (handler: string, offset: string, value: unknown) =>
  received.set(handler, [...(received.get(handler) ?? []), { offset, value }]);
const receivedBy = (handler: string) => received.get(handler) ?? [];

class TransientError extends Error {}
class SwallowedError extends Error {}
class GlobalOnlyError extends Error {}

const filtered: Record<string, unknown[]> = { method: [], global: [] };

/** A user's method-level filter: it must still see its errors first (here: marks them handled). */
@Catch(SwallowedError)
class SwallowFilter implements RpcExceptionFilter<SwallowedError> {
  catch(exception: SwallowedError): Observable<string> {
    filtered.method.push(exception);
    return of('handled by the filter');
  }
}

/** A user's global filter (`app.useGlobalFilters`): also comes before samsa's fallback. */
@Catch(GlobalOnlyError)
class GlobalFilter implements RpcExceptionFilter<GlobalOnlyError> {
  catch(exception: GlobalOnlyError): Observable<string> {
    filtered.global.push(exception);
    return of('handled globally');
  }
}

const attempts = new Map<string, number>();
const attempt = (key: string) => {
  const count = (attempts.get(key) ?? 0) + 1;
  attempts.set(key, count);
  return count;
};

@Controller()
class RecordHandlers {
  @StreamHandler('mixed')
  record(@StreamRecord() record: KafkaRecord) {
    receive('record', record.offset, record.value);
  }

  @StreamHandler('mixed')
  context(@Ctx() ctx: StreamContext) {
    receive('context', ctx.offset, ctx.record.value);
  }

  // Declared as Buffer (a `Buffer | null` type is emitted as Object): null arrives for tombstones.
  @StreamHandler('mixed')
  bytes(@Payload() bytes: Buffer, @Ctx() ctx: StreamContext) {
    receive('bytes', ctx.offset, bytes);
  }
}

@Controller()
class TypedHandlers {
  @StreamHandler('mixed')
  dto(@Payload() message: ContentMessage, @Ctx() ctx: StreamContext) {
    receive('dto', ctx.offset, message);
  }

  // A nullable parameter type is emitted as Object: name the schema explicitly.
  @StreamHandler('mixed', { schema: ContentMessage, tombstones: true })
  dtoWithTombstones(@Payload() message: ContentMessage | null, @Ctx() ctx: StreamContext) {
    receive('dtoWithTombstones', ctx.offset, message);
  }

  @StreamHandler('poison')
  poisonDto(@Payload() message: ContentMessage, @Ctx() ctx: StreamContext) {
    receive('poisonDto', ctx.offset, message);
  }

  @StreamHandler('poison')
  poisonData(@Payload() data: unknown, @Ctx() ctx: StreamContext) {
    receive('poisonData', ctx.offset, data);
  }
}

@Controller()
class FailingHandlers {
  @StreamHandler('failing')
  flaky(@Payload() message: ContentMessage, @Ctx() ctx: StreamContext) {
    if (attempt(`flaky:${ctx.offset}`) < 3) throw new TransientError(`not yet (${message.seq})`);
    receive('flaky', ctx.offset, message.seq);
  }

  @StreamHandler('failing')
  always(@Payload() message: ContentMessage) {
    throw new TypeError(`cannot handle ${message.seq}`);
  }

  @StreamHandler('failing')
  @UseFilters(new SwallowFilter())
  swallowed(@Payload() message: ContentMessage, @Ctx() ctx: StreamContext) {
    attempt(`swallowed:${ctx.offset}`);
    throw new SwallowedError(`swallowed ${message.seq}`);
  }

  @StreamHandler('failing')
  globallyFiltered(@Payload() message: ContentMessage, @Ctx() ctx: StreamContext) {
    attempt(`global:${ctx.offset}`);
    throw new GlobalOnlyError(`global ${message.seq}`);
  }
}

@Module({
  imports: [
    StreamStoreModule.forRoot({
      brokers: kafkaBrokers(),
      clientId: uniqueName('decoding'),
      appId,
      topicPrefix: prefix,
      retry: { attempts: 3, initialDelayMs: 50, maxDelayMs: 100 },
    }),
  ],
  controllers: [RecordHandlers, TypedHandlers, FailingHandlers],
})
class DecodingModule {}

async function startWithLogger(module: Type<unknown>, logger: CapturingLogger): Promise<INestApplication> {
  const app = await NestFactory.create(module, { logger, abortOnError: false });
  app.useGlobalFilters(new GlobalFilter());
  app.connectMicroservice({ strategy: app.get(StreamStoreServer) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.init();
  return app;
}

/** Dead letters of `source` written for one handler (the DLQ is shared by the handlers of a topic). */
async function deadLettersOf(source: string, handler: string, total: number): Promise<ConsumedMessage[]> {
  const letters = await deadLetters(source, total);
  return letters.filter((letter) => letter.headers[DEAD_LETTER_HEADERS.handler]?.toString() === handler);
}

/** All `total` dead letters of `source`, once they were written (samsa creates the DLQ topic on the first one). */
async function deadLetters(source: string, total: number): Promise<ConsumedMessage[]> {
  await waitFor(async () => (await endOffset(`${source}.dlq`)) >= total, {
    timeoutMs: 30_000,
    message: `${total} dead letters of ${source}`,
  });
  return consumeAll(`${source}.dlq`, total, { timeoutMs: 30_000 });
}

const header = (letter: ConsumedMessage, name: string) => letter.headers[name]?.toString();

/** The number of records a topic holds (its high watermark, for one partition). */
async function endOffset(name: string): Promise<number> {
  const admin = createKafka().admin();
  await admin.connect();
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(name)) return 0;
    const [partition] = await admin.fetchTopicOffsets(name);
    return Number(partition.high);
  } finally {
    await admin.disconnect();
  }
}

async function committed(groupId: string, name: string): Promise<string | undefined> {
  const admin = createKafka().admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [name] });
    return offsets?.partitions[0]?.offset;
  } finally {
    await admin.disconnect();
  }
}

let app: INestApplication;
const logger = new CapturingLogger();

beforeAll(async () => {
  await Promise.all(Object.values(topic).map((name) => createTopic(name, 1)));
  await produce(
    topic.mixed,
    mixed.map(({ name, value }) => ({ key: name, value })),
  );
  await produce(topic.poison, [
    { key: 'utf8', value: invalidUtf8 },
    { key: 'deep', value: tooDeep },
    { key: 'untyped-deep', value: untypedDeep },
    { key: 'ok', value: content('fine', 3) },
  ]);
  await produce(topic.failing, [{ key: 'f', value: content('fails', 7) }]);
  app = await startWithLogger(DecodingModule, logger);
});

afterAll(async () => {
  await app?.close();
});

describe('decoding as each handler asks, on real Kafka', () => {
  it('gives @StreamRecord()/@Ctx()/Buffer handlers every record as it is, dead-lettering none of them', async () => {
    for (const handler of ['record', 'context', 'bytes']) {
      await waitFor(() => receivedBy(handler).length >= mixed.length, {
        timeoutMs: 30_000,
        message: `${handler} got all ${mixed.length} records`,
      });
    }
    const expected = mixed.map(({ value }, offset) => ({ offset: String(offset), value }));
    for (const handler of ['record', 'context', 'bytes']) {
      const got = receivedBy(handler);
      expect(got.map((item) => item.offset)).toEqual(expected.map((item) => item.offset));
      got.forEach(({ value }, index) => {
        const want = expected[index].value;
        if (want === null) expect(value, `${handler} @${index}`).toBeNull();
        else expect(Buffer.isBuffer(value) && value.equals(want), `${handler} @${index}`).toBe(true);
      });
    }
    // A tombstone and an empty value stay distinguishable.
    expect(receivedBy('bytes')[3].value).toBeNull();
    expect(receivedBy('bytes')[4].value).toEqual(Buffer.alloc(0));

    // The typed handler dead-letters the three non-envelopes; none of the record handlers does.
    const letters = await deadLetters(topic.mixed, 3);
    const byHandler = letters.map((letter) => header(letter, DEAD_LETTER_HEADERS.handler));
    expect(new Set(byHandler)).toEqual(new Set(['TypedHandlers.dto', 'TypedHandlers.dtoWithTombstones']));
  });

  it('skips tombstones in a DTO handler (counted as skipped), and hands them as null with tombstones: true', async () => {
    await waitFor(() => receivedBy('dto').length >= 2 && receivedBy('dtoWithTombstones').length >= 3, {
      timeoutMs: 30_000,
      message: 'typed handlers done',
    });
    expect(receivedBy('dto').map((item) => item.offset)).toEqual(['0', '5']);
    expect(receivedBy('dto')[0].value).toBeInstanceOf(ContentMessage);
    expect(receivedBy('dtoWithTombstones')).toEqual([
      { offset: '0', value: Object.assign(new ContentMessage(), { foo: 'first', seq: 1 }) },
      { offset: '3', value: null },
      { offset: '5', value: Object.assign(new ContentMessage(), { foo: 'last', seq: 2 }) },
    ]);

    const metric = await app
      .get(StreamMetrics)
      .registry.getSingleMetric('samsa_consumed_messages_total')
      ?.get();
    const count = (handler: string, result: string) =>
      metric?.values.find(
        (value) =>
          value.labels.handler === handler &&
          value.labels.topic === topic.mixed &&
          value.labels.result === result,
      )?.value ?? 0;
    expect(count('TypedHandlers.dto', 'skipped')).toBe(1);
    expect(count('TypedHandlers.dto', 'dead-lettered')).toBe(3);
    expect(count('TypedHandlers.dtoWithTombstones', 'skipped')).toBe(0);

    // Binary, non-JSON and empty values are dead-lettered by both; the tombstone by neither.
    const letters = await deadLettersOf(topic.mixed, 'TypedHandlers.dto', 6);
    expect(letters.map((letter) => letter.key?.toString()).sort()).toEqual(['binary', 'empty', 'not-json']);
    const all = await deadLetters(topic.mixed, 6);
    expect(all.some((letter) => letter.key?.toString() === 'tombstone')).toBe(false);
    expect(await endOffset(`${topic.mixed}.dlq`)).toBe(6);
  });

  it('dead-letters invalid UTF-8 and too-deep JSON with their typed reasons, and goes on', async () => {
    await waitFor(() => receivedBy('poisonDto').length >= 1 && receivedBy('poisonData').length >= 1, {
      timeoutMs: 30_000,
      message: 'the record after the poison',
    });
    expect(receivedBy('poisonDto').map((item) => item.offset)).toEqual(['3']);
    // The untyped handler would take the `Any:1` envelope's data, but it is too deep too.
    expect(receivedBy('poisonData').map((item) => item.offset)).toEqual(['3']);

    const dto = await deadLettersOf(topic.poison, 'TypedHandlers.poisonDto', 6);
    const byKey = new Map(dto.map((letter) => [letter.key?.toString(), letter]));
    const utf8 = byKey.get('utf8');
    const deep = byKey.get('deep');
    if (!utf8 || !deep) throw new Error(`missing dead letters: ${[...byKey.keys()].join(', ')}`);
    expect(header(utf8, DEAD_LETTER_HEADERS.errorClass)).toBe('EnvelopeNotUtf8Error');
    expect(header(utf8, DEAD_LETTER_HEADERS.errorMessage)).toMatch(
      /^Message is not valid UTF-8 \(\d+ bytes\)/,
    );
    expect(utf8.value?.equals(invalidUtf8)).toBe(true);
    expect(header(deep, DEAD_LETTER_HEADERS.errorClass)).toBe('EnvelopeTooDeepError');
    expect(header(deep, DEAD_LETTER_HEADERS.errorMessage)).toBe(
      'Message envelope for Content:1 nests its data deeper than 128 levels of arrays and objects. ' +
        'Producers must send flatter data (at most 128 levels).',
    );
    expect(header(deep, DEAD_LETTER_HEADERS.attempts)).toBe('0');
    // The depth check comes before the schema lookup: an unknown schema's deep data is refused as deep.
    expect(header(byKey.get('untyped-deep') ?? utf8, DEAD_LETTER_HEADERS.errorClass)).toBe(
      'EnvelopeTooDeepError',
    );

    const data = await deadLettersOf(topic.poison, 'TypedHandlers.poisonData', 6);
    expect(
      Object.fromEntries(
        data.map((letter) => [letter.key?.toString(), header(letter, DEAD_LETTER_HEADERS.errorClass)]),
      ),
    ).toEqual({
      utf8: 'EnvelopeNotUtf8Error',
      deep: 'EnvelopeTooDeepError',
      'untyped-deep': 'EnvelopeTooDeepError',
    });
    expect(logger.lines.some((line) => line.message.includes('Maximum call stack size exceeded'))).toBe(
      false,
    );
  });

  it('logs a retried failure as one WARN per attempt and one ERROR when dead-lettered, never as RpcExceptionsHandler', async () => {
    await waitFor(() => receivedBy('flaky').length >= 1, {
      timeoutMs: 30_000,
      message: 'flaky handled on attempt 3',
    });
    const [letter] = await deadLettersOf(topic.failing, 'FailingHandlers.always', 1);
    expect(header(letter, DEAD_LETTER_HEADERS.errorClass)).toBe('TypeError');
    expect(header(letter, DEAD_LETTER_HEADERS.attempts)).toBe('3');
    await waitFor(() => logger.of('error', 'StreamHandler FailingHandlers.always').length >= 1, {
      timeoutMs: 10_000,
      message: 'the dead-letter ERROR line',
    });

    expect(attempts.get('flaky:0')).toBe(3);
    expect(logger.of('warn', 'StreamHandler FailingHandlers.flaky')).toHaveLength(2);
    expect(logger.of('error', 'StreamHandler FailingHandlers.flaky')).toHaveLength(0);
    expect(logger.of('warn', 'StreamHandler FailingHandlers.always')).toHaveLength(2);
    const errors = logger.of('error', 'StreamHandler FailingHandlers.always');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(
      /^Dead-lettered .*failing\[0\]@0 after 3 attempt\(s\): cannot handle 7/,
    );
    // Nest's default RPC filter would log every attempt of both handlers at ERROR.
    expect(logger.lines.filter((line) => line.context === 'RpcExceptionsHandler')).toEqual([]);
  });

  it("keeps the application's own exception filters first: method-level and global", async () => {
    await waitFor(() => filtered.method.length >= 1 && filtered.global.length >= 1, {
      timeoutMs: 30_000,
      message: 'both user filters called',
    });
    expect(filtered.method[0]).toBeInstanceOf(SwallowedError);
    expect(filtered.global[0]).toBeInstanceOf(GlobalOnlyError);
    // Each filter marked its error handled: the offset is committed after one attempt, no retry, no dead letter.
    for (const method of ['swallowed', 'globallyFiltered']) {
      await waitFor(
        async () => (await committed(`${appId}.FailingHandlers.${method}`, topic.failing)) === '1',
        {
          timeoutMs: 15_000,
          message: `${method} committed`,
        },
      );
    }
    expect(attempts.get('swallowed:0')).toBe(1);
    expect(attempts.get('global:0')).toBe(1);
    expect(logger.of('warn', 'StreamHandler FailingHandlers.swallowed')).toEqual([]);
    expect(logger.of('warn', 'StreamHandler FailingHandlers.globallyFiltered')).toEqual([]);
    expect(await endOffset(`${topic.failing}.dlq`)).toBe(1);
  });
});
