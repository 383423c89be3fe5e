// The consume loop against faults it must survive without losing or dead-lettering a good record:
// a database outage mid-stream (a TCP proxy cut), a dead letter Kafka refuses for good, stored
// offsets beyond a recreated topic's end, and a sink output Kafka refuses. Real broker, real databases.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Controller, Module, type INestApplication, type Type } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { encodeEnvelope } from '@samsa/schema';
import {
  DEAD_LETTER_HEADERS,
  InjectStore,
  StreamContext,
  StreamHandler,
  StreamHealth,
  StreamStoreModule,
  StreamStoreServer,
  type StateStore,
  type StoreConnectionOptions,
  type StreamHandlerOptions,
  type StreamHealthReport,
} from '@samsa/stream-store';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  consumeAll,
  createKafka,
  createTopic,
  kafkaBrokers,
  produce,
  uniqueName,
  waitFor,
} from '../support/kafka.js';
import { describePostgres, PG_URL, pgQuery } from '../support/postgres.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { CapturedLogs } from './fixtures/captured-logs.js';
import { ContentMessage } from './fixtures/content.message.js';
import {
  countErrors,
  freshSchemas,
  postgresTables,
  sqliteTables,
  topicEnds,
  waitForProgress,
  waitUntilProcessed,
} from './fixtures/counting-worker.support.js';
import { startLoggedStreamApp } from './fixtures/logged-stream-app.js';

const CONSUMER = { sessionTimeout: 6_000, heartbeatInterval: 500, maxWaitTimeInMs: 250 };
const RETRY = { attempts: 3, initialDelayMs: 50, maxDelayMs: 200 };

const apps: INestApplication[] = [];
async function start(module: Type<unknown>, logs: CapturedLogs): Promise<INestApplication> {
  const app = await startLoggedStreamApp(module, logs);
  apps.push(app);
  return app;
}
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

const admin = createKafka().admin();
beforeAll(() => admin.connect());
afterAll(() => admin.disconnect());

/** Records in a topic (0 when it does not exist). */
async function recordsIn(topic: string): Promise<number> {
  if (!(await admin.listTopics()).includes(topic)) return 0;
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, { low, high }) => sum + Number(high) - Number(low), 0);
}

/** The group's committed Kafka offsets by partition (-1: none). */
async function committedOffsets(group: string, topic: string): Promise<Map<number, bigint>> {
  const [{ partitions }] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return new Map(partitions.map(({ partition, offset }) => [partition, BigInt(offset)]));
}

/** Like waitFor, for a probe that finds a value: resolves with the first one found. */
async function waitForValue<T>(
  probe: () => Promise<T | undefined>,
  options: Parameters<typeof waitFor>[1],
): Promise<T> {
  let found: T | undefined;
  await waitFor(async () => (found = await probe()) !== undefined, options);
  if (found === undefined) throw new Error(`waitForValue: ${options?.message ?? 'value'} vanished`);
  return found;
}

/** Health, or `timeout` when the check itself hangs longer than `ms`. */
async function healthWithin(app: INestApplication, ms = 3_000): Promise<StreamHealthReport | 'timeout'> {
  return Promise.race([app.get(StreamHealth).check(), sleep(ms).then(() => 'timeout' as const)]);
}

const statusOf = (app: INestApplication) => JSON.stringify(app.get(StreamStoreServer).handlerStatus());
const assigned = (app: INestApplication) =>
  app
    .get(StreamStoreServer)
    .handlerStatus()
    .every((handler) => handler.assigned.length > 0);

/** A counter of records per key in the `counts` store, on `store`. */
function counterModule(settings: {
  prefix: string;
  group: string;
  store: StoreConnectionOptions;
  handler?: StreamHandlerOptions;
  offsetReset?: 'halt' | 'earliest' | 'latest';
  /** Kept across restarts on one SQLite file: the changelog topic's name derives from it. */
  clientId?: string;
  /** Where the handler notes `partition@offset` of each record it is given. */
  counted?: string[];
}): Type<unknown> {
  @Controller()
  class CounterController {
    constructor(@InjectStore('counts') private readonly counts: StateStore<number>) {}

    @StreamHandler('events', { group: settings.group, ...settings.handler })
    async count(@Ctx() ctx: StreamContext): Promise<void> {
      settings.counted?.push(`${ctx.partition}@${ctx.offset}`);
      await this.counts.update(ctx.key ?? 'no-key', (n) => (n ?? 0) + 1);
    }
  }
  @Module({
    imports: [
      StreamStoreModule.forRoot({
        brokers: kafkaBrokers(),
        clientId: settings.clientId ?? uniqueName('faults'),
        topicPrefix: settings.prefix,
        store: settings.store,
        consumer: CONSUMER,
        retry: RETRY,
        offsetReset: settings.offsetReset,
      }),
      StreamStoreModule.forFeature(['counts']),
    ],
    controllers: [CounterController],
  })
  class CounterModule {}
  return CounterModule;
}

describePostgres('a Postgres outage mid-stream (TCP proxy cut for 10 s)', (db) => {
  const nextSchema = freshSchemas(db);
  let proxy: TcpProxy;
  beforeAll(async () => {
    const target = new URL(PG_URL);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  });
  afterAll(() => proxy.close());

  it('dead-letters nothing, counts exactly, reports it in health, resumes, and does not spin', async () => {
    const viaProxy = new URL(PG_URL);
    viaProxy.host = proxy.address;
    const keys = 50;
    const rounds = 40;
    const logs = new CapturedLogs();
    // The same app twice: dead letters on (the default), and off (the partition would stop instead).
    const variants = await Promise.all(
      (['default', 'off'] as const).map(async (deadLetter) => {
        const prefix = `${uniqueName(`pg-outage-${deadLetter}`)}.`;
        const topic = await createTopic(`${prefix}events`, 3);
        const schema = nextSchema();
        const group = uniqueName('pg-outage');
        const module = counterModule({
          prefix,
          group,
          store: { type: 'postgres', url: viaProxy.toString(), schema },
          handler: deadLetter === 'off' ? { deadLetter: false } : {},
        });
        return { deadLetter, topic, group, schema, tables: postgresTables(schema), module };
      }),
    );
    const running = await Promise.all(
      variants.map(async (variant) => ({ ...variant, app: await start(variant.module, logs) })),
    );
    await waitFor(() => running.every(({ app }) => assigned(app)), {
      timeoutMs: 30_000,
      message: 'partitions assigned',
    });

    // ~2000 records per app, 20 every 100 ms (about 10 s), keyed round after round.
    const producer = createKafka().producer();
    await producer.connect();
    const producing = (async () => {
      for (let round = 0; round < rounds; round++) {
        for (let k = 0; k < keys; k += 25) {
          const messages = Array.from({ length: 25 }, (_, i) => ({
            key: `key-${k + i}`,
            value: encodeEnvelope('Tick:1', { round, k: k + i }),
          }));
          await producer.sendBatch({ topicMessages: running.map(({ topic }) => ({ topic, messages })) });
          await sleep(100);
        }
      }
    })();

    try {
      await Promise.all(
        running.map(({ tables, group, topic }) => waitForProgress(tables, group, topic, 300)),
      );
      // The outage: every connection to Postgres reset, new ones refused.
      await proxy.cut();
      const cutAt = Date.now();
      const seen = new Map<string, Set<string>>(running.map(({ deadLetter }) => [deadLetter, new Set()]));
      const halted: string[] = [];
      let cpu: NodeJS.CpuUsage | undefined;
      let cpuFrom = 0;
      while (Date.now() - cutAt < 10_000) {
        if (!cpu && Date.now() - cutAt >= 2_000) {
          cpu = process.cpuUsage();
          cpuFrom = performance.now();
        }
        for (const { deadLetter, app } of running) {
          const health = await healthWithin(app);
          const status = health === 'timeout' ? 'timeout' : health.status;
          seen.get(deadLetter)?.add(status);
          if (health !== 'timeout')
            for (const handler of health.handlers)
              for (const [partition, reason] of Object.entries(handler.halted))
                halted.push(`${deadLetter}: ${partition} ${reason}`);
        }
        await sleep(500);
      }
      const used = process.cpuUsage(cpu);
      const cpuMs = (used.user + used.system) / 1000;
      const wallMs = performance.now() - cpuFrom;
      await proxy.restore();
      await producing;

      const report = [
        `[pg-outage] health during the outage: ${[...seen].map(([v, s]) => `${v}: ${[...s].join('/')}`).join('; ')}`,
        `[pg-outage] CPU ${Math.round(cpuMs)} ms in ${Math.round(wallMs)} ms of outage`,
        `[pg-outage] WARN "paused, waiting": ${logs.matching(/paused, waiting/, 'warn').length}, ERROR lines: ${logs.lines.filter((l) => l.level === 'error').length}`,
      ].join('\n');
      console.log(report);

      for (const { deadLetter, app, tables, group, topic } of running) {
        await waitUntilProcessed(tables, group, topic, {
          timeoutMs: 60_000,
          details: () => `${deadLetter}: ${statusOf(app)}\n${logs.dump()}`,
        });
      }
      for (const { deadLetter, app, tables, group, topic } of running) {
        const label = `dead letters ${deadLetter}`;
        expect(await recordsIn(`${topic}.dlq`), `${label}: records dead-lettered`).toBe(0);
        const expected = new Map(Array.from({ length: keys }, (_, k) => [`key-${k}`, rounds]));
        expect(countErrors(await tables.counts(), expected), `${label}: counts`).toEqual([]);
        const ends = await topicEnds(topic);
        await waitFor(
          async () => {
            const committed = await committedOffsets(group, topic);
            return [...ends].every(([partition, end]) => committed.get(partition) === end);
          },
          { timeoutMs: 15_000, message: `${label}: Kafka offsets committed to the end` },
        );
        const healthy = await waitForValue(
          async () => {
            const health = await app.get(StreamHealth).check();
            const waiting = health.handlers.some((handler) => Object.keys(handler.waiting).length > 0);
            return health.status === 'healthy' && !waiting ? health : undefined;
          },
          { timeoutMs: 15_000, message: `${label}: healthy again, no waiting partitions` },
        ).catch(async (error: Error) => {
          throw new Error(`${error.message}: ${JSON.stringify(await app.get(StreamHealth).check())}`);
        });
        expect(healthy.healthy).toBe(true);
        const statuses = seen.get(deadLetter) ?? new Set();
        expect(
          [...statuses].some((status) => status === 'degraded' || status === 'unhealthy'),
          `${label}: health during the outage was ${[...statuses].join('/')}`,
        ).toBe(true);
      }
      expect(halted, 'partitions halted during the outage').toEqual([]);
      expect(logs.matching(/Dead-lettered|dead-lettering is off/), 'dead-letter or halt log lines').toEqual(
        [],
      );
      // Waiting must sleep: a spinning loop would burn about a core (~8 s here); allow half of one.
      expect(cpuMs, report).toBeLessThan(wallMs * 0.5);
      // An outage samsa waits out by itself needs nobody to act: WARN, not ERROR (one per attempt).
      expect(
        logs.lines
          .filter((line) => line.level === 'error')
          .map((line) => `[${line.context}] ${line.message}`),
        'ERROR lines for an outage samsa recovered from',
      ).toEqual([]);
    } finally {
      await proxy.restore();
      await producing.catch((error: unknown) =>
        console.warn(`[pg-outage] producing failed: ${String(error)}`),
      );
      await producer.disconnect();
    }
  });
  it("waits out a handler's own unreachable database: no dead letter, no halt, WARN not ERROR, degraded then healthy", async () => {
    const viaProxy = new URL(PG_URL);
    viaProxy.host = proxy.address;
    const prefix = `${uniqueName('handler-dependency')}.`;
    const group = uniqueName('handler-dependency');
    const calls: Array<{ seq: number; attempt: number; ok: boolean }> = [];
    @Controller()
    class LookupController {
      @StreamHandler('lookups', { group, retry: RETRY })
      async lookup(@Payload() msg: ContentMessage, @Ctx() ctx: StreamContext) {
        const seq = msg.seq ?? -1;
        try {
          await pgQuery('select 1', [], viaProxy.toString());
          calls.push({ seq, attempt: ctx.attempt, ok: true });
        } catch (error) {
          calls.push({ seq, attempt: ctx.attempt, ok: false });
          throw error;
        }
      }
    }
    @Module({
      imports: [
        StreamStoreModule.forRoot({
          brokers: kafkaBrokers(),
          clientId: uniqueName('handler-dependency'),
          topicPrefix: prefix,
          consumer: CONSUMER,
          retry: RETRY,
        }),
      ],
      controllers: [LookupController],
    })
    class LookupModule {}
    const topic = await createTopic(`${prefix}lookups`, 1);
    const logs = new CapturedLogs();
    await proxy.cut();
    try {
      const app = await start(LookupModule, logs);
      await produce(
        topic,
        [0, 1, 2].map((seq) => ({ key: `k${seq}`, value: encodeEnvelope('Content:1', { foo: 'x', seq }) })),
      );
      const degraded = await waitForValue(
        async () => {
          const health = await app.get(StreamHealth).check();
          return health.status === 'degraded' ? health : undefined;
        },
        { timeoutMs: 30_000, message: 'health degraded while the handler waits' },
      ).catch((error: Error) => {
        throw new Error(`${error.message}: ${statusOf(app)}\n${logs.dump()}`);
      });
      expect(degraded.degraded.join('\n')).toMatch(/ECONNREFUSED/);
      // Beyond the record's 3 attempts: waiting for the dependency costs none.
      await waitFor(() => calls.filter((call) => !call.ok).length > RETRY.attempts, {
        timeoutMs: 15_000,
        message: `more than ${RETRY.attempts} failed calls`,
      });
      await proxy.restore();
      await waitFor(async () => (await committedOffsets(group, topic)).get(0) === 3n, {
        timeoutMs: 30_000,
        message: 'offset 3 committed',
      }).catch((error: Error) => {
        throw new Error(`${error.message}: ${statusOf(app)}\n${logs.dump()}`);
      });
      const failed = calls.filter((call) => !call.ok);
      console.log(
        `[handler-dependency] ${failed.length} failed calls (ctx.attempt ${[...new Set(failed.map((c) => c.attempt))].join('/')}), ` +
          `then handled ${calls.filter((call) => call.ok).map((call) => call.seq)}`,
      );
      expect(calls.filter((call) => call.ok).map((call) => call.seq)).toEqual([0, 1, 2]);
      expect(await recordsIn(`${topic}.dlq`)).toBe(0);
      const health = await app.get(StreamHealth).check();
      expect(health.status).toBe('healthy');
      expect(logs.matching(/paused, waiting/, 'warn').length).toBeGreaterThan(0);
      expect(
        logs.lines
          .filter((line) => line.level === 'error')
          .map((line) => `[${line.context}] ${line.message}`),
        'ERROR lines for an outage samsa recovered from',
      ).toEqual([]);
    } finally {
      await proxy.restore();
    }
  });
});

describe('a dead letter Kafka refuses for good', () => {
  it('halts the partition visibly, once: no re-handling loop, nothing after it handled, nothing dead-lettered twice', async () => {
    const prefix = `${uniqueName('dlq-refused')}.`;
    const group = uniqueName('dlq-refused');
    const handled: number[] = [];
    const thrown: number[] = [];
    @Controller()
    class RefusedController {
      // An invalid DTO: dead-lettered at once, without a handler call.
      @StreamHandler('orders', { group: `${group}-orders`, retry: RETRY })
      order(@Payload() msg: ContentMessage) {
        handled.push(msg.seq ?? -1);
      }
      // A valid record the handler fails on: attempts spent, then dead-lettered.
      @StreamHandler('payments', { group: `${group}-payments`, retry: RETRY })
      payment(@Payload() msg: ContentMessage) {
        if (msg.foo.length > 1_000) {
          thrown.push(msg.seq ?? -1);
          throw new Error(`payment ${msg.seq} cannot be handled`);
        }
        handled.push(100 + (msg.seq ?? -1));
      }
    }
    @Module({
      imports: [
        StreamStoreModule.forRoot({
          brokers: kafkaBrokers(),
          clientId: uniqueName('dlq-refused'),
          topicPrefix: prefix,
          consumer: CONSUMER,
          retry: RETRY,
        }),
      ],
      controllers: [RefusedController],
    })
    class RefusedModule {}

    const large = { 'max.message.bytes': String(2 * 1024 * 1024) };
    const small = { 'max.message.bytes': '2048' };
    for (const name of ['orders', 'payments']) {
      await createTopic(`${prefix}${name}`, 1, large);
      await createTopic(`${prefix}${name}.dlq`, 1, small);
    }
    const pad = 'x'.repeat(50_000);
    const valid = (seq: number) => ({
      key: `k${seq}`,
      value: encodeEnvelope('Content:1', { foo: 'ok', seq }),
    });
    await produce(`${prefix}orders`, [
      { key: 'big', value: encodeEnvelope('Content:1', { foo: 42, seq: 0, pad }) },
      ...[1, 2, 3, 4, 5].map(valid),
    ]);
    await produce(`${prefix}payments`, [
      { key: 'big', value: encodeEnvelope('Content:1', { foo: pad, seq: 0 }) },
      ...[1, 2, 3, 4, 5].map(valid),
    ]);
    const logs = new CapturedLogs();
    const app = await start(RefusedModule, logs);

    const halts = async () => {
      const health = await app.get(StreamHealth).check();
      const reasons = health.handlers.flatMap((handler) => Object.entries(handler.halted));
      return reasons.length === 2 ? { health, reasons } : undefined;
    };
    const { health, reasons } = await waitForValue(halts, {
      timeoutMs: 30_000,
      message: 'both partitions halted',
    }).catch((error: Error) => {
      throw new Error(`${error.message}: ${statusOf(app)}\n${logs.dump()}`);
    });
    expect(health.healthy).toBe(false);
    expect(health.status).toBe('unhealthy');
    for (const [partition, reason] of reasons) {
      expect(reason, partition).toMatch(/dead.letter/i);
      expect(reason, partition).toMatch(/max\.message\.bytes|too large/i);
    }
    const haltLines = () => logs.matching(/Partition .* stopped at offset/).length;
    const before = { haltLines: haltLines(), thrown: thrown.length, lines: logs.lines.length };

    // Ten more seconds: nothing may move.
    await sleep(10_000);
    const after = { haltLines: haltLines(), thrown: thrown.length, lines: logs.lines.length };
    console.log(
      `[dlq-refused] halts logged ${before.haltLines} then ${after.haltLines}; handler failures ` +
        `${before.thrown} then ${after.thrown}; log lines ${before.lines} then ${after.lines}`,
    );
    expect(after.haltLines).toBe(before.haltLines);
    expect(after.thrown).toBe(before.thrown);
    expect(thrown).toEqual([0, 0, 0]);
    expect(handled, 'records after the halted one').toEqual([]);
    for (const name of ['orders', 'payments']) {
      expect(await recordsIn(`${prefix}${name}.dlq`), `${name}.dlq`).toBe(0);
      const committed = await committedOffsets(`${group}-${name}`, `${prefix}${name}`);
      expect(committed.get(0) ?? -1n, `${name}: committed offset`).toBeLessThanOrEqual(0n);
    }
    const final = await app.get(StreamHealth).check();
    expect(final.status).toBe('unhealthy');
  });
});

describe('stored offsets beyond the end of a recreated topic (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-offsets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('halts visibly by default (nothing skipped), and with offsetReset earliest handles the new records with a WARN', async () => {
    const prefix = `${uniqueName('recreated')}.`;
    const group = uniqueName('recreated');
    const clientId = uniqueName('recreated');
    const file = join(dir, 'state.sqlite');
    const store: StoreConnectionOptions = { type: 'sqlite', database: file };
    const tables = sqliteTables(file);
    const topic = await createTopic(`${prefix}events`, 1);
    const tick = (key: string) => ({ key, value: encodeEnvelope('Tick:1', { key }) });
    await produce(topic, ['a', 'b', 'c', 'd', 'e'].map(tick));

    const logs = new CapturedLogs();
    const first = await start(counterModule({ prefix, group, clientId, store }), logs);
    await waitUntilProcessed(tables, group, topic, { timeoutMs: 30_000, details: () => statusOf(first) });
    apps.splice(apps.indexOf(first), 1);
    await first.close();

    await admin.deleteTopics({ topics: [topic] });
    await waitFor(async () => !(await admin.listTopics()).includes(topic), {
      timeoutMs: 30_000,
      message: `${topic} deleted`,
    });
    await waitFor(
      async () => {
        await createTopic(topic, 1);
        const [offsets] = await admin.fetchTopicOffsets(topic);
        return offsets.high === '0';
      },
      { timeoutMs: 30_000, message: `${topic} created again` },
    );
    await produce(topic, ['new-1', 'new-2'].map(tick));

    // Default policy: the stored offset 5 is beyond the log end 2.
    const counted: string[] = [];
    const halting = await start(counterModule({ prefix, group, clientId, store, counted }), logs);
    const halted = await waitForValue(
      async () => {
        const health = await halting.get(StreamHealth).check();
        const reasons = health.handlers.flatMap((handler) => Object.values(handler.halted));
        return reasons.length > 0 ? { health, reasons } : undefined;
      },
      { timeoutMs: 30_000, message: 'the partition halted' },
    ).catch((error: Error) => {
      throw new Error(`${error.message}: ${statusOf(halting)}\n${logs.dump()}`);
    });
    expect(halted.health.healthy).toBe(false);
    expect(halted.reasons.join('\n')).toMatch(/offsetReset/);
    await sleep(3_000);
    expect(counted, 'records handled while halted').toEqual([]);
    const counts = await tables.counts();
    expect([counts.get('new-1'), counts.get('new-2')]).toEqual([undefined, undefined]);
    apps.splice(apps.indexOf(halting), 1);
    await halting.close();

    // offsetReset 'earliest': both new records handled, the gap named in a WARN.
    const recounted: string[] = [];
    const resetting = await start(
      counterModule({ prefix, group, clientId, store, counted: recounted, offsetReset: 'earliest' }),
      logs,
    );
    await waitFor(() => recounted.length >= 2, {
      timeoutMs: 30_000,
      message: 'both new records handled',
    }).catch((error: Error) => {
      throw new Error(`${error.message}: ${statusOf(resetting)}\n${logs.dump()}`);
    });
    await waitFor(async () => (await tables.offsets(group, topic)).get(0) === 2n, {
      timeoutMs: 15_000,
      message: 'offset 2 stored',
    });
    expect(recounted).toEqual(['0@0', '0@1']);
    const after = await tables.counts();
    expect([after.get('new-1'), after.get('new-2'), after.get('a')]).toEqual([1, 1, 1]);
    const gap = logs.matching(/beyond the log end/, 'warn');
    expect(gap.map((line) => line.message).join('\n')).toMatch(/earliest/);
    expect((await resetting.get(StreamHealth).check()).status).toBe('healthy');
  });
});

describe('a sink output Kafka refuses for good (stateless)', () => {
  it('dead-letters only the record whose output was refused, produces the others, commits to the end', async () => {
    const prefix = `${uniqueName('sink-refused')}.`;
    const group = uniqueName('sink-refused');
    const calls: number[] = [];
    @Controller()
    class SinkController {
      @StreamHandler('in', { group, sink: 'out', retry: RETRY })
      transform(@Payload() msg: ContentMessage): ContentMessage {
        const seq = msg.seq ?? -1;
        calls.push(seq);
        return Object.assign(new ContentMessage(), { foo: seq === 2 ? 'y'.repeat(5_000) : 'small', seq });
      }
    }
    @Module({
      imports: [
        StreamStoreModule.forRoot({
          brokers: kafkaBrokers(),
          clientId: uniqueName('sink-refused'),
          topicPrefix: prefix,
          consumer: CONSUMER,
          retry: RETRY,
        }),
      ],
      controllers: [SinkController],
    })
    class SinkModule {}
    const topic = await createTopic(`${prefix}in`, 1);
    await createTopic(`${prefix}out`, 1, { 'max.message.bytes': '1024' });
    await produce(
      topic,
      [0, 1, 2, 3, 4, 5].map((seq) => ({
        key: `k${seq}`,
        value: encodeEnvelope('Content:1', { foo: 'in', seq }),
      })),
    );
    const logs = new CapturedLogs();
    const app = await start(SinkModule, logs);

    await waitFor(
      async () => {
        const committed = await committedOffsets(group, topic);
        return committed.get(0) === 6n;
      },
      { timeoutMs: 30_000, message: 'offset 6 committed' },
    ).catch((error: Error) => {
      throw new Error(`${error.message}: ${statusOf(app)}\n${logs.dump()}`);
    });
    const [letter] = await consumeAll(`${topic}.dlq`, 1, { timeoutMs: 15_000 });
    const header = (name: string) => letter.headers[name]?.toString() ?? '';
    expect(header(DEAD_LETTER_HEADERS.offset)).toBe('2');
    expect(`${header(DEAD_LETTER_HEADERS.errorClass)}: ${header(DEAD_LETTER_HEADERS.errorMessage)}`).toMatch(
      /larger than the max message size|too large|MESSAGE_TOO_LARGE|max\.message\.bytes/i,
    );
    const outputs = await consumeAll(`${prefix}out`, 5, { timeoutMs: 15_000 });
    const seqs = outputs.map(
      (record) => (JSON.parse(record.value?.toString() ?? '{}') as { data: { seq: number } }).data.seq,
    );
    expect(seqs).toEqual([0, 1, 3, 4, 5]);
    await sleep(2_000);
    expect(await recordsIn(`${topic}.dlq`)).toBe(1);
    expect(await recordsIn(`${prefix}out`)).toBe(5);
    // No loop: the refused record's handler ran at most its attempts, the others once.
    expect(calls.filter((seq) => seq === 2).length).toBeLessThanOrEqual(RETRY.attempts);
    expect(calls.filter((seq) => seq !== 2).sort()).toEqual([0, 1, 3, 4, 5]);
    expect((await app.get(StreamHealth).check()).status).toBe('healthy');
  });
});
