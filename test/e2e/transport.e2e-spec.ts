import { Controller, Injectable, Module, type INestApplication } from '@nestjs/common';
import { Ctx, EventPattern, Payload, Transport } from '@nestjs/microservices';
import { encodeEnvelope } from '@samsa/schema';
import {
  DEAD_LETTER_HEADERS,
  StreamContext,
  StreamHandler,
  StreamRecord,
  StreamStoreServer,
  StreamStoreModule,
  type KafkaRecord,
} from '@samsa/stream-store';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createKafka,
  createTopic,
  consumeAll,
  kafkaBrokers,
  produce,
  uniqueName,
  waitFor,
} from '../support/kafka.js';
import { startStreamApp } from '../support/stream-app.js';
import { ContentMessage } from './fixtures/content.message.js';

const content = (foo: string, seq?: number) => encodeEnvelope('Content:1', { foo, seq });

@Injectable()
class Seen {
  readonly items: Array<{
    handler: string;
    value: unknown;
    topic: string;
    partition: number;
    offset: string;
  }> = [];
  add(handler: string, value: unknown, ctx: StreamContext) {
    this.items.push({ handler, value, topic: ctx.topic, partition: ctx.partition, offset: ctx.offset });
  }
  of(handler: string) {
    return this.items.filter((item) => item.handler === handler);
  }
}

function appModule(
  prefix: string,
  controllers: Array<new (...args: never[]) => unknown>,
  extra: object = {},
) {
  @Module({
    imports: [
      StreamStoreModule.forRoot({
        brokers: kafkaBrokers(),
        clientId: uniqueName('app'),
        topicPrefix: prefix,
        subscriptionRefreshMs: 1000,
        retry: { attempts: 3, initialDelayMs: 50, maxDelayMs: 200 },
        ...extra,
      }),
    ],
    controllers,
    providers: [Seen],
  })
  class TestModule {}
  return TestModule;
}

const apps: INestApplication[] = [];
async function start(module: Parameters<typeof startStreamApp>[0]) {
  const app = await startStreamApp(module);
  apps.push(app);
  return app;
}
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

describe('@StreamHandler on real Kafka', () => {
  it('consumes glob matches before and after start, and topics created later, but nothing else', async () => {
    const prefix = `${uniqueName('glob')}.`;
    @Controller()
    class GlobController {
      constructor(private readonly seen: Seen) {}
      @StreamHandler('content.*')
      on(@Payload() msg: ContentMessage, @Ctx() ctx: StreamContext) {
        this.seen.add('glob', msg.foo, ctx);
      }
    }
    await createTopic(`${prefix}content.a`, 1);
    await createTopic(`${prefix}other.x`, 1);
    await createTopic(`${prefix}content`, 1);
    await produce(
      `${prefix}content.a`,
      Array.from({ length: 10 }, (_, i) => ({ value: content(`before-${i}`) })),
    );
    await produce(`${prefix}other.x`, [{ value: content('other') }]);
    await produce(`${prefix}content`, [{ value: content('bare') }]);

    const app = await start(appModule(prefix, [GlobController]));
    const seen = app.get(Seen);
    await produce(
      `${prefix}content.a`,
      Array.from({ length: 10 }, (_, i) => ({ value: content(`after-${i}`) })),
    );
    await waitFor(() => seen.of('glob').length >= 20, {
      timeoutMs: 30_000,
      message: '20 messages on content.a',
    });

    await createTopic(`${prefix}content.b`, 1);
    await produce(`${prefix}content.b`, [{ value: content('late-topic') }]);
    await waitFor(() => seen.of('glob').some((item) => item.value === 'late-topic'), {
      timeoutMs: 30_000,
      message: 'content.b consumed',
    });

    const values = seen.of('glob').map((item) => item.value);
    expect(values.filter((v) => String(v).startsWith('before-'))).toHaveLength(10);
    expect(values.filter((v) => String(v).startsWith('after-'))).toHaveLength(10);
    expect(values).not.toContain('other');
    expect(values).not.toContain('bare');
    expect(new Set(seen.of('glob').map((item) => item.topic))).toEqual(
      new Set([`${prefix}content.a`, `${prefix}content.b`]),
    );
  });

  it('injects the DTO, raw bytes, the record, untyped data and the context', async () => {
    const prefix = `${uniqueName('inject')}.`;
    const received: Record<string, unknown> = {};
    @Controller()
    class InjectionController {
      @StreamHandler('in')
      dto(@Payload() msg: ContentMessage) {
        received.dto = msg;
      }
      @StreamHandler('in')
      raw(@Payload() bytes: Buffer) {
        received.raw = bytes;
      }
      @StreamHandler('in')
      record(@StreamRecord() record: KafkaRecord) {
        received.record = record;
      }
      @StreamHandler('in')
      untyped(@Payload() data: unknown, @Ctx() ctx: StreamContext) {
        received.untyped = data;
        received.ctx = {
          topic: ctx.topic,
          partition: ctx.partition,
          offset: ctx.offset,
          key: ctx.key,
          schema: ctx.schema,
          header: ctx.headers.trace?.toString(),
          group: ctx.group,
        };
      }
    }
    await createTopic(`${prefix}in`, 1);
    const bytes = encodeEnvelope('Content:1', { foo: 'x', seq: 7, extra: 'stripped' });
    await produce(`${prefix}in`, [{ key: 'k1', value: bytes, headers: { trace: 't-1' } }]);
    await start(appModule(prefix, [InjectionController], { appId: 'inject-app' }));
    await waitFor(() => Object.keys(received).length >= 5, {
      timeoutMs: 30_000,
      message: 'all five handlers',
    });

    expect(received.dto).toBeInstanceOf(ContentMessage);
    expect(received.dto).toEqual(Object.assign(new ContentMessage(), { foo: 'x', seq: 7 }));
    expect(Buffer.isBuffer(received.raw) && (received.raw as Buffer).equals(bytes)).toBe(true);
    expect(received.record).toMatchObject({ topic: `${prefix}in`, partition: 0, offset: '0' });
    expect((received.record as KafkaRecord).key?.toString()).toBe('k1');
    expect(received.untyped).toEqual({ foo: 'x', seq: 7, extra: 'stripped' });
    expect(received.ctx).toEqual({
      topic: `${prefix}in`,
      partition: 0,
      offset: '0',
      key: 'k1',
      schema: 'Content:1',
      header: 't-1',
      group: 'inject-app.InjectionController.untyped',
    });
  });

  it('fans out to two groups and splits a 6-partition topic between two instances of one group', async () => {
    const prefix = `${uniqueName('groups')}.`;
    @Controller()
    class FanOutController {
      constructor(private readonly seen: Seen) {}
      @StreamHandler('events', { group: `${prefix}a` })
      a(@Payload() msg: ContentMessage, @Ctx() ctx: StreamContext) {
        this.seen.add('a', msg.seq, ctx);
      }
      @StreamHandler('events', { group: `${prefix}b` })
      b(@Payload() msg: ContentMessage, @Ctx() ctx: StreamContext) {
        this.seen.add('b', msg.seq, ctx);
      }
    }
    await createTopic(`${prefix}events`, 6);
    const module = appModule(prefix, [FanOutController]);
    const [one, two] = [await start(module), await start(module)];
    // Both members must have joined before the data arrives, so both get partitions.
    await waitFor(
      () =>
        [one, two].every((app) =>
          app
            .get(StreamStoreServer)
            .handlerStatus()
            .every((s) => s.assigned.length > 0),
        ),
      { timeoutMs: 30_000, message: 'both instances assigned' },
    );
    const total = 120;
    await produce(
      `${prefix}events`,
      Array.from({ length: total }, (_, i) => ({ key: `k${i}`, value: content('e', i) })),
    );
    const seenBy = (app: INestApplication, handler: string) => app.get(Seen).of(handler);
    await waitFor(() => seenBy(one, 'a').length + seenBy(two, 'a').length >= total, {
      timeoutMs: 30_000,
      message: 'group a',
    });
    await waitFor(() => seenBy(one, 'b').length + seenBy(two, 'b').length >= total, {
      timeoutMs: 30_000,
      message: 'group b',
    });

    for (const handler of ['a', 'b']) {
      const seqs = [...seenBy(one, handler), ...seenBy(two, handler)].map((item) => item.value);
      expect(seqs).toHaveLength(total);
      expect(new Set(seqs).size).toBe(total);
      expect(seenBy(one, handler).length).toBeGreaterThan(0);
      expect(seenBy(two, handler).length).toBeGreaterThan(0);
    }
  });

  it('retries a failing message, dead-letters it with the reason, and goes on; poison goes to the DLQ at once', async () => {
    const prefix = `${uniqueName('dlq')}.`;
    const attempts: number[] = [];
    const handled: number[] = [];
    @Controller()
    class FailingController {
      @StreamHandler('orders', { group: `${prefix}orders`, retry: { attempts: 3, initialDelayMs: 300 } })
      on(@Payload() msg: ContentMessage, @Ctx() ctx: StreamContext) {
        if (msg.seq === 2) {
          attempts.push(ctx.attempt);
          throw new TypeError(`cannot handle ${msg.seq}`);
        }
        handled.push(msg.seq ?? -1);
      }
    }
    await createTopic(`${prefix}orders`, 1);
    await produce(`${prefix}orders`, [
      { key: 'a', value: content('ok', 1) },
      { key: 'b', value: content('bad', 2), headers: { origin: 'test' } },
      { key: 'c', value: content('ok', 3) },
      { key: 'd', value: Buffer.from('{not json') },
      { key: 'e', value: encodeEnvelope('Unknown:9', { foo: 'x' }) },
      { key: 'f', value: encodeEnvelope('Content:1', { foo: 42 }) },
      { key: 'g', value: content('ok', 7) },
    ]);
    await start(appModule(prefix, [FailingController]));

    // While message 2 is being retried, no offset past it is committed.
    await waitFor(() => attempts.length >= 1, { timeoutMs: 30_000, message: 'first attempt' });
    const admin = createKafka().admin();
    await admin.connect();
    const committed = async () =>
      (await admin.fetchOffsets({ groupId: `${prefix}orders`, topics: [`${prefix}orders`] }))[0].partitions[0]
        .offset;
    // A fresh admin may need a metadata refresh before the group's coordinator answers.
    const duringRetries = await waitFor(() => committed(), { timeoutMs: 5_000, message: 'group offsets' });
    expect(Number(duringRetries)).toBeLessThanOrEqual(1);
    expect(attempts.length).toBeLessThan(3);

    await waitFor(async () => (await admin.listTopics()).includes(`${prefix}orders.dlq`), {
      timeoutMs: 30_000,
      message: 'dead-letter topic created',
    });
    const letters = await consumeAll(`${prefix}orders.dlq`, 4, { timeoutMs: 30_000 });
    await waitFor(() => handled.includes(7), { timeoutMs: 30_000, message: 'message after the failures' });
    expect(attempts).toEqual([1, 2, 3]);
    expect(handled).toEqual([1, 3, 7]);

    const byKey = new Map(letters.map((letter) => [letter.key?.toString(), letter]));
    const failed = byKey.get('b')!;
    expect(failed.value?.equals(content('bad', 2))).toBe(true);
    const header = (name: string) => failed.headers[name]?.toString();
    expect(header(DEAD_LETTER_HEADERS.topic)).toBe(`${prefix}orders`);
    expect(header(DEAD_LETTER_HEADERS.partition)).toBe('0');
    expect(header(DEAD_LETTER_HEADERS.offset)).toBe('1');
    expect(header(DEAD_LETTER_HEADERS.errorClass)).toBe('TypeError');
    expect(header(DEAD_LETTER_HEADERS.errorMessage)).toBe('cannot handle 2');
    expect(header(DEAD_LETTER_HEADERS.attempts)).toBe('3');
    expect(header(DEAD_LETTER_HEADERS.handler)).toBe('FailingController.on');
    expect(Number.isNaN(Date.parse(header(DEAD_LETTER_HEADERS.time) ?? ''))).toBe(false);
    expect(header('origin')).toBe('test');
    expect(byKey.get('d')?.headers[DEAD_LETTER_HEADERS.errorClass]?.toString()).toBe('EnvelopeNotJsonError');
    expect(byKey.get('e')?.headers[DEAD_LETTER_HEADERS.errorClass]?.toString()).toBe('UnknownSchemaError');
    expect(byKey.get('f')?.headers[DEAD_LETTER_HEADERS.errorClass]?.toString()).toBe(
      'MessageValidationError',
    );
    for (const key of ['d', 'e', 'f'])
      expect(byKey.get(key)?.headers[DEAD_LETTER_HEADERS.attempts]?.toString()).toBe('0');

    await waitFor(async () => (await committed()) === '7', {
      timeoutMs: 15_000,
      message: 'offset 7 committed',
    });
    await admin.disconnect();
  });

  it('keeps per-key order within each partition with concurrency > 1', async () => {
    const prefix = `${uniqueName('order')}.`;
    const byKey = new Map<string, number[]>();
    @Controller()
    class OrderController {
      @StreamHandler('seq', { concurrency: 3 })
      async on(@Payload() msg: ContentMessage, @Ctx() ctx: StreamContext) {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
        const key = ctx.key ?? '';
        byKey.set(key, [...(byKey.get(key) ?? []), msg.seq ?? -1]);
      }
    }
    await createTopic(`${prefix}seq`, 3);
    const keys = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];
    const perKey = 40;
    const messages = [];
    for (let i = 0; i < perKey; i++) for (const key of keys) messages.push({ key, value: content(key, i) });
    await produce(`${prefix}seq`, messages);
    await start(appModule(prefix, [OrderController]));
    await waitFor(() => [...byKey.values()].reduce((n, list) => n + list.length, 0) >= keys.length * perKey, {
      timeoutMs: 60_000,
      message: 'all sequence numbers',
    });
    for (const key of keys) expect(byKey.get(key)).toEqual(Array.from({ length: perKey }, (_, i) => i));
  });

  it('ignores handlers declared for Nest’s own Kafka transport', async () => {
    const prefix = `${uniqueName('foreign')}.`;
    const calls: string[] = [];
    @Controller()
    class MixedController {
      @EventPattern('mixed', Transport.KAFKA)
      nestKafka(@Payload() _data: unknown) {
        calls.push('nest-kafka');
      }
      @StreamHandler('mixed')
      ours() {
        calls.push('samsa');
      }
    }
    await createTopic(`${prefix}mixed`, 1);
    await produce(`${prefix}mixed`, [{ value: content('m') }]);
    const app = await start(appModule(prefix, [MixedController]));
    await waitFor(() => calls.includes('samsa'), { timeoutMs: 30_000, message: 'samsa handler' });
    expect(
      app
        .get(StreamStoreServer)
        .handlerStatus()
        .map((s) => s.handler),
    ).toEqual(['MixedController.ours']);
    expect(calls).toEqual(['samsa']);
  });
});
