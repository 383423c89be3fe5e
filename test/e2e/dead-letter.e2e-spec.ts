import { Controller, Injectable, Module, type INestApplication } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { encodeEnvelope } from '@samsa/schema';
import {
  DEAD_LETTER_HEADERS,
  StreamContext,
  StreamHandler,
  StreamHealth,
  StreamStoreModule,
  StreamStoreServer,
  type RecordHeaders,
} from '@samsa/stream-store';
import { ConfigResourceTypes, type IHeaders } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  consumeAll,
  createKafka,
  createTopic,
  kafkaBrokers,
  produce,
  uniqueName,
  waitFor,
} from '../support/kafka.js';
import { startStreamApp } from '../support/stream-app.js';
import { ContentMessage } from './fixtures/content.message.js';

/**
 * A source topic that accepts records up to 4 MiB, where the broker's defaults (and the test broker's
 * `log.segment.bytes`) are 1 MiB.
 */
const LARGE_TOPIC = {
  'max.message.bytes': String(4 * 1024 * 1024),
  'segment.bytes': String(8 * 1024 * 1024),
};
const MiB = 1024 * 1024;

const valid = (foo: string) => encodeEnvelope('Content:1', { foo });
/** Fails validation (`foo` must be a string); `pad` makes it as large as asked. */
const invalid = (bytes = 0) => encodeEnvelope('Content:1', { foo: 42, pad: 'x'.repeat(bytes) });

@Injectable()
class Seen {
  readonly handled: Array<{ foo: string; headers: RecordHeaders }> = [];
  readonly letters: Array<{ value: Buffer; headers: RecordHeaders }> = [];
}

function appModule(prefix: string, controllers: Array<new (...args: never[]) => unknown>) {
  @Module({
    imports: [
      StreamStoreModule.forRoot({
        brokers: kafkaBrokers(),
        clientId: uniqueName('dlq-app'),
        topicPrefix: prefix,
        subscriptionRefreshMs: 1000,
        topics: { partitions: 1, replicationFactor: 1 },
      }),
    ],
    controllers,
    providers: [Seen],
  })
  class DeadLetterTestModule {}
  return DeadLetterTestModule;
}

const apps: INestApplication[] = [];
async function start(prefix: string, controllers: Array<new (...args: never[]) => unknown>) {
  const app = await startStreamApp(appModule(prefix, controllers));
  apps.push(app);
  return app;
}
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** Records `foo` of every valid message of `topic` (prefix applied by samsa). */
function consumerOf(topic: string) {
  @Controller()
  class ContentController {
    constructor(private readonly seen: Seen) {}
    @StreamHandler(topic)
    on(@Payload() message: ContentMessage, @Ctx() ctx: StreamContext) {
      this.seen.handled.push({ foo: message.foo, headers: ctx.headers });
    }
  }
  return ContentController;
}

async function topicState(topic: string) {
  const admin = createKafka().admin();
  await admin.connect();
  try {
    const [configs, metadata] = await Promise.all([
      admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: topic,
            configNames: ['max.message.bytes', 'segment.bytes'],
          },
        ],
      }),
      admin.fetchTopicMetadata({ topics: [topic] }),
    ]);
    const config = new Map(configs.resources[0].configEntries.map((entry) => [entry.configName, entry]));
    return {
      maxMessageBytes: Number(config.get('max.message.bytes')?.configValue),
      segmentBytes: Number(config.get('segment.bytes')?.configValue),
      partitions: metadata.topics[0].partitions.length,
    };
  } finally {
    await admin.disconnect();
  }
}

const text = (headers: IHeaders | RecordHeaders, name: string) => headers[name]?.toString();
const noHalts = (app: INestApplication) =>
  app
    .get(StreamStoreServer)
    .handlerStatus()
    .every((handler) => Object.keys(handler.halted).length === 0);

describe('dead letters on real Kafka', () => {
  it('dead-letters a 2 MiB record its 4 MiB topic accepted: the DLQ is created like its source', async () => {
    const prefix = `${uniqueName('dlq-big')}.`;
    await createTopic(`${prefix}big`, 2, LARGE_TOPIC);
    const big = invalid(2 * MiB);
    await produce(`${prefix}big`, [
      { key: 'big', value: big, partition: 0 },
      { key: 'after', value: valid('after'), partition: 0 },
    ]);
    const app = await start(prefix, [consumerOf('big')]);
    const seen = app.get(Seen);

    await waitFor(() => seen.handled.some((item) => item.foo === 'after'), {
      timeoutMs: 45_000,
      message: 'the record after the 2 MiB one handled',
    });
    const [letter] = await consumeAll(`${prefix}big.dlq`, 1);
    expect(letter.value?.equals(big)).toBe(true);
    expect(letter.key?.toString()).toBe('big');
    expect(text(letter.headers, DEAD_LETTER_HEADERS.errorClass)).toBe('MessageValidationError');
    expect(text(letter.headers, DEAD_LETTER_HEADERS.offset)).toBe('0');
    const dlq = await topicState(`${prefix}big.dlq`);
    expect(dlq.partitions).toBe(2);
    expect(dlq.maxMessageBytes).toBeGreaterThan(4 * MiB);
    expect(dlq.maxMessageBytes).toBeLessThanOrEqual(4 * MiB + 64 * 1024);
    expect(dlq.segmentBytes).toBeGreaterThan(8 * MiB);
    expect(noHalts(app)).toBe(true);
  });

  it('an unknown schema with a 1.5 MiB reference: the dead letter adds only small headers', async () => {
    const prefix = `${uniqueName('dlq-ref')}.`;
    await createTopic(`${prefix}refs`, 1, LARGE_TOPIC);
    const hugeRef = Buffer.from(`{"schema":"${'A'.repeat(1.5 * MiB)}:1","data":{"foo":"x"}}`);
    await produce(`${prefix}refs`, [
      { key: 'huge-ref', value: hugeRef, headers: { origin: 'test' } },
      { key: 'after', value: valid('after') },
    ]);
    const app = await start(prefix, [consumerOf('refs')]);
    const seen = app.get(Seen);

    await waitFor(() => seen.handled.some((item) => item.foo === 'after'), {
      timeoutMs: 45_000,
      message: 'the record after the huge reference handled',
    });
    const [letter] = await consumeAll(`${prefix}refs.dlq`, 1);
    expect(letter.value?.equals(hugeRef)).toBe(true);
    expect(text(letter.headers, 'origin')).toBe('test');
    expect(text(letter.headers, DEAD_LETTER_HEADERS.errorClass)).toBe('UnknownSchemaError');
    const reason = text(letter.headers, DEAD_LETTER_HEADERS.errorMessage) ?? '';
    expect(reason.startsWith('Unknown schema AAAA')).toBe(true);
    const added = Object.entries(letter.headers)
      .filter(([name]) => name.startsWith('samsa.dlq.'))
      .reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(String(value)), 0);
    expect(added).toBeLessThan(4096);
    expect(noHalts(app)).toBe(true);
  });

  it('a __proto__ header is an ordinary header for handlers and dead letters; Object.prototype stays untouched', async () => {
    const prefix = `${uniqueName('dlq-proto')}.`;
    const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    await createTopic(`${prefix}proto`, 1);
    // A computed key makes `__proto__` an own header name, as any other client would send it.
    const headers = (): IHeaders => ({ ['__proto__']: 'polluted', trace: 't-1' });
    await produce(`${prefix}proto`, [
      { key: 'ok', value: valid('ok'), headers: headers() },
      { key: 'bad', value: invalid(), headers: headers() },
      { key: 'after', value: valid('after') },
    ]);

    @Controller()
    class LetterController {
      constructor(private readonly seen: Seen) {}
      @StreamHandler('proto.dlq')
      on(@Payload() value: Buffer, @Ctx() ctx: StreamContext) {
        this.seen.letters.push({ value, headers: ctx.headers });
      }
    }
    const app = await start(prefix, [consumerOf('proto'), LetterController]);
    const seen = app.get(Seen);

    await waitFor(() => seen.handled.some((item) => item.foo === 'after') && seen.letters.length >= 1, {
      timeoutMs: 45_000,
      message: 'the records handled and the dead letter read back',
    });
    const ok = seen.handled.find((item) => item.foo === 'ok');
    expect(ok).toBeDefined();
    expect(Object.getPrototypeOf(ok?.headers)).toBeNull();
    expect(text(ok?.headers ?? {}, '__proto__')).toBe('polluted');
    expect(text(ok?.headers ?? {}, 'trace')).toBe('t-1');

    const [letter] = seen.letters;
    expect(letter.value.equals(invalid())).toBe(true);
    expect(text(letter.headers, '__proto__')).toBe('polluted');
    expect(text(letter.headers, 'trace')).toBe('t-1');
    expect(text(letter.headers, DEAD_LETTER_HEADERS.errorClass)).toBe('MessageValidationError');

    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    expect((Object.prototype as Record<string, unknown>)['0']).toBeUndefined();
    expect(noHalts(app)).toBe(true);
  });

  it('a dead letter an existing DLQ refuses for good halts its partition visibly, without re-handling', async () => {
    const prefix = `${uniqueName('dlq-refused')}.`;
    await createTopic(`${prefix}orders`, 2, LARGE_TOPIC);
    await createTopic(`${prefix}orders.dlq`, 1); // made before, with the broker's default limit (1 MiB)
    await produce(`${prefix}orders`, [
      { key: 'a', value: valid('a'), partition: 0 },
      { key: 'big', value: invalid(2 * MiB), partition: 0 },
      { key: 'c', value: valid('c'), partition: 0 },
    ]);
    const app = await start(prefix, [consumerOf('orders')]);
    const seen = app.get(Seen);
    const health = app.get(StreamHealth);

    await waitFor(async () => (await health.check()).problems.length > 0, {
      timeoutMs: 45_000,
      message: 'health reports the halted partition',
    });
    const report = await health.check(); // a halt lasts: the same report again
    expect(report.status).toBe('unhealthy');
    expect(report.problems.join('\n')).toContain('max.message.bytes');
    expect(report.problems.join('\n')).toContain(`${prefix}orders.dlq`);

    // The producer still works: a dead letter of the other partition is written.
    await produce(`${prefix}orders`, [{ key: 'd', value: invalid(), partition: 1 }]);
    const [letter] = await consumeAll(`${prefix}orders.dlq`, 1);
    expect(letter.key?.toString()).toBe('d');
    // Handled once, never again: a halted partition does not loop over its batch.
    expect(seen.handled.filter((item) => item.foo === 'a')).toHaveLength(1);
    expect(seen.handled.some((item) => item.foo === 'c')).toBe(false);
  });
});
