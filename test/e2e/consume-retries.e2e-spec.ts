// Retries under pressure on the real broker: a rebalance between two attempts, a run that outlives
// its `timeout`, and a batch handler that reports one failed item.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Controller, Module, type INestApplication, type Type } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { encodeEnvelope } from '@samsa/schema';
import {
  DEAD_LETTER_HEADERS,
  getStateStoreToken,
  InjectStore,
  StreamContext,
  StreamHandler,
  StreamHealth,
  StreamStoreModule,
  StreamStoreServer,
  type StateStore,
  type StreamStoreModuleOptions,
} from '@samsa/stream-store';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BatchItemFailures } from '../../libs/stream-store/src/consumer/batch-item-failures.js';
import {
  consumeAll,
  createKafka,
  createTopic,
  kafkaBrokers,
  produce,
  uniqueName,
  waitFor,
} from '../support/kafka.js';
import { CapturedLogs } from './fixtures/captured-logs.js';
import { ContentMessage } from './fixtures/content.message.js';
import { sqliteTables, waitUntilProcessed } from './fixtures/counting-worker.support.js';
import { startLoggedStreamApp } from './fixtures/logged-stream-app.js';

const CONSUMER = { sessionTimeout: 6_000, heartbeatInterval: 500, maxWaitTimeInMs: 250 };

const content = (seq: number) => ({ key: `k${seq}`, value: encodeEnvelope('Content:1', { foo: 'x', seq }) });

const apps: INestApplication[] = [];
async function start(module: Type<unknown>, logs: CapturedLogs): Promise<INestApplication> {
  const app = await startLoggedStreamApp(module, logs);
  apps.push(app);
  return app;
}
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** A module with samsa on the test broker and these controllers (stores: `features`). */
function appModule(
  controllers: Array<Type<unknown>>,
  options: Partial<StreamStoreModuleOptions> & { topicPrefix: string },
  features: string[] = [],
): Type<unknown> {
  @Module({
    imports: [
      StreamStoreModule.forRoot({
        brokers: kafkaBrokers(),
        clientId: uniqueName('retries'),
        consumer: CONSUMER,
        ...options,
      }),
      ...(features.length > 0 ? [StreamStoreModule.forFeature(features)] : []),
    ],
    controllers,
  })
  class RetriesModule {}
  return RetriesModule;
}

const statusOf = (app: INestApplication) => JSON.stringify(app.get(StreamStoreServer).handlerStatus());

/** Records in a topic (0 when it does not exist). */
async function recordsIn(topic: string): Promise<number> {
  const admin = createKafka().admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return 0;
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, { low, high }) => sum + Number(high) - Number(low), 0);
  } finally {
    await admin.disconnect();
  }
}

describe('a retry cut short by a rebalance', () => {
  it('resumes after the rejoin a new glob topic causes: handled, later records too, nothing halted', async () => {
    const prefix = `${uniqueName('rejoin')}.`;
    const group = uniqueName('rejoin');
    const calls: Array<{ seq: number; topic: string; attempt: number; at: number; stopping: boolean }> = [];
    let failuresLeft = 2;
    @Controller()
    class JobsController {
      @StreamHandler('jobs.*', { group, retry: { attempts: 5, initialDelayMs: 1_500, maxDelayMs: 3_000 } })
      job(@Payload() msg: ContentMessage, @Ctx() ctx: StreamContext) {
        const seq = msg.seq ?? -1;
        calls.push({
          seq,
          topic: ctx.topic,
          attempt: ctx.attempt,
          at: Date.now(),
          stopping: ctx.signal.aborted,
        });
        if (seq === 0 && failuresLeft > 0) {
          failuresLeft--;
          throw new Error(`job ${seq} fails (${failuresLeft} failure(s) left)`);
        }
      }
    }
    await createTopic(`${prefix}jobs.a`, 1);
    await produce(`${prefix}jobs.a`, [content(0)]);
    const logs = new CapturedLogs();
    const app = await start(
      appModule([JobsController], { topicPrefix: prefix, subscriptionRefreshMs: 500 }),
      logs,
    );

    // While the record waits for its second attempt, a new matching topic makes the member rejoin.
    await waitFor(() => calls.length >= 1, { timeoutMs: 30_000, message: 'first attempt' });
    const createdAt = Date.now();
    await createTopic(`${prefix}jobs.b`, 1);
    await produce(`${prefix}jobs.b`, [content(100)]);
    await produce(`${prefix}jobs.a`, [content(1), content(2)]);

    const handled = (seq: number) => calls.some((call) => call.seq === seq);
    await waitFor(() => [0, 1, 2, 100].every(handled) && failuresLeft === 0, {
      timeoutMs: 40_000,
      message: 'the failed job and the later ones handled',
    }).catch((error: Error) => {
      throw new Error(`${error.message}: ${statusOf(app)}\ncalls ${JSON.stringify(calls)}\n${logs.dump()}`);
    });
    await sleep(1_000);

    const rejoins = logs.matching(/rejoining group/);
    const relative = (at: number) => `${at - createdAt} ms`;
    console.log(
      `[rejoin] attempts of job 0 at ${calls
        .filter((call) => call.seq === 0)
        .map((call) => `${relative(call.at)} (ctx.attempt ${call.attempt})`)
        .join(', ')}; rejoins at ${rejoins.map((line) => relative(line.at)).join(', ')}`,
    );
    expect(rejoins.length, 'the member rejoined').toBeGreaterThan(0);
    // The rejoin came while job 0 waited between attempts 1 and 3.
    const attemptsOfZero = calls.filter((call) => call.seq === 0);
    expect(attemptsOfZero.length).toBe(3);
    expect(rejoins[0].at).toBeLessThan(attemptsOfZero[2].at);
    // jobs.a in order: the failed job first, then the later ones, each handled once after it.
    expect(calls.filter((call) => call.topic === `${prefix}jobs.a`).map((call) => call.seq)).toEqual([
      0, 0, 0, 1, 2,
    ]);
    const health = await app.get(StreamHealth).check();
    expect(health.handlers.flatMap((handler) => Object.entries(handler.halted))).toEqual([]);
    expect(health.status).toBe('healthy');
    expect(logs.matching(/dead-lettering is off/)).toEqual([]);
    expect(await recordsIn(`${prefix}jobs.a.dlq`)).toBe(0);
    // A stop between attempts interrupts the retry: no attempt starts on a consumer already stopping.
    expect(
      calls.filter((call) => call.stopping),
      'attempts started after the stop began',
    ).toEqual([]);
  });
});

describe('a shutdown between two attempts', () => {
  it('runs no further attempt once the app is closing', async () => {
    const prefix = `${uniqueName('close-retry')}.`;
    const calls: Array<{ attempt: number; stopping: boolean; at: number }> = [];
    @Controller()
    class FailingController {
      @StreamHandler('jobs', { retry: { attempts: 5, initialDelayMs: 3_000, maxDelayMs: 3_000 } })
      job(@Ctx() ctx: StreamContext) {
        calls.push({ attempt: ctx.attempt, stopping: ctx.signal.aborted, at: Date.now() });
        throw new Error('this job always fails');
      }
    }
    await createTopic(`${prefix}jobs`, 1);
    await produce(`${prefix}jobs`, [content(0)]);
    const logs = new CapturedLogs();
    const app = await start(appModule([FailingController], { topicPrefix: prefix }), logs);
    await waitFor(() => calls.length >= 1, { timeoutMs: 30_000, message: 'first attempt' });
    apps.splice(apps.indexOf(app), 1);
    const closing = Date.now();
    await app.close();
    console.log(
      `[close-retry] attempts at ${calls.map((call) => `${call.at - closing} ms`).join(', ')} from close(); ` +
        `close took ${Date.now() - closing} ms`,
    );
    expect(
      calls.filter((call) => call.at >= closing),
      'attempts started after close() began',
    ).toEqual([]);
    expect(logs.matching(/dead-lettering is off|Dead-lettered|stopped at offset/)).toEqual([]);
  });
});

describe('a handler past its timeout', () => {
  it('aborts ctx.signal, never runs beside the timed-out run, keeps order and handles every record', async () => {
    const prefix = `${uniqueName('timeout')}.`;
    const group = uniqueName('timeout');
    let running = 0;
    let maxRunning = 0;
    const runs: Array<{ seq: number; attempt: number; aborted: boolean; ms: number; overlapped: boolean }> =
      [];
    const completed: number[] = [];
    @Controller()
    class SlowController {
      @StreamHandler('work', {
        group,
        timeout: 300,
        retry: { attempts: 3, initialDelayMs: 50, maxDelayMs: 200 },
      })
      async work(@Payload() msg: ContentMessage, @Ctx() ctx: StreamContext) {
        const seq = msg.seq ?? -1;
        const started = performance.now();
        running++;
        maxRunning = Math.max(maxRunning, running);
        const overlapped = running > 1;
        try {
          // The first run of record 0 ignores its signal and takes 1.5 s; every other run is quick.
          if (seq === 0 && runs.every((run) => run.seq !== 0)) await sleep(1_500);
          completed.push(seq);
        } finally {
          running--;
          runs.push({
            seq,
            attempt: ctx.attempt,
            aborted: ctx.signal.aborted,
            ms: performance.now() - started,
            overlapped,
          });
        }
      }
    }
    const topic = await createTopic(`${prefix}work`, 1);
    await produce(topic, [0, 1, 2, 3, 4].map(content));
    const logs = new CapturedLogs();
    const app = await start(appModule([SlowController], { topicPrefix: prefix }), logs);

    const admin = createKafka().admin();
    await admin.connect();
    try {
      await waitFor(
        async () => {
          const [{ partitions }] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
          return partitions[0].offset === '5';
        },
        { timeoutMs: 30_000, message: 'offset 5 committed' },
      ).catch((error: Error) => {
        throw new Error(`${error.message}: ${statusOf(app)}\nruns ${JSON.stringify(runs)}\n${logs.dump()}`);
      });
    } finally {
      await admin.disconnect();
    }
    await sleep(500);
    console.log(`[timeout] max concurrent runs ${maxRunning}; runs ${JSON.stringify(runs)}`);

    expect(maxRunning, 'runs of one partition at once').toBe(1);
    const slow = runs.find((run) => run.seq === 0 && run.ms >= 1_000);
    expect(slow?.aborted, 'ctx.signal of the timed-out run').toBe(true);
    // The run that timed out finished its body (it ignored the signal); a retry then succeeded.
    const letters = await recordsIn(`${topic}.dlq`);
    const handledOnce = runs.filter((run) => !(run.seq === 0 && run.ms >= 1_000)).map((run) => run.seq);
    if (letters === 0) expect(handledOnce).toEqual([0, 1, 2, 3, 4]);
    else expect(handledOnce).toEqual([1, 2, 3, 4]);
    expect(runs.filter((run) => run.overlapped)).toEqual([]);
    expect((await app.get(StreamHealth).check()).status).toBe('healthy');
  });
});

describe('a batch handler reporting item failures (SQLite store)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-batch-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('dead-letters only the failed item; the others are committed once, their writes kept', async () => {
    const prefix = `${uniqueName('batch-items')}.`;
    const group = uniqueName('batch-items');
    const file = join(dir, 'state.sqlite');
    const given: number[][] = [];
    @Controller()
    class BatchController {
      constructor(@InjectStore('seen') private readonly seen: StateStore<number>) {}

      @StreamHandler('items', {
        group,
        batch: true,
        schema: ContentMessage,
        retry: { attempts: 3, initialDelayMs: 50, maxDelayMs: 200 },
      })
      async items(@Payload() items: ContentMessage[]) {
        given.push(items.map((item) => item.seq ?? -1));
        const bad = items.findIndex((item) => item.seq === 3);
        for (const item of items)
          if (item.seq !== 3) await this.seen.update(`seq-${item.seq}`, (n) => (n ?? 0) + 1);
        if (bad >= 0) throw new BatchItemFailures([bad]);
      }
    }
    const topic = await createTopic(`${prefix}items`, 1);
    const seqs = Array.from({ length: 10 }, (_, seq) => seq);
    await produce(topic, seqs.map(content));
    const logs = new CapturedLogs();
    const app = await start(
      appModule([BatchController], { topicPrefix: prefix, store: { type: 'sqlite', database: file } }, [
        'seen',
      ]),
      logs,
    );
    const tables = sqliteTables(file);
    await waitUntilProcessed(tables, group, topic, {
      timeoutMs: 30_000,
      details: () => `${statusOf(app)}\ngiven ${JSON.stringify(given)}\n${logs.dump()}`,
    });

    const letters = await consumeAll(`${topic}.dlq`, 1, { timeoutMs: 15_000 });
    await sleep(1_000);
    console.log(`[batch-items] the handler was given ${JSON.stringify(given)}`);
    expect(await recordsIn(`${topic}.dlq`), 'dead letters').toBe(1);
    expect(letters[0].headers[DEAD_LETTER_HEADERS.offset]?.toString()).toBe('3');
    const store = app.get<StateStore<number>>(getStateStoreToken('seen'), { strict: false });
    const counts = new Map<string, number>();
    for await (const [key, n] of store.entries()) counts.set(key, n);
    const expected = new Map(seqs.filter((seq) => seq !== 3).map((seq) => [`seq-${seq}`, 1]));
    expect(counts).toEqual(expected);
    // Each good item was given to the handler once; the failed one on each of its attempts.
    const times = (seq: number) => given.flat().filter((s) => s === seq).length;
    expect(seqs.filter((seq) => seq !== 3).map(times)).toEqual(seqs.filter((seq) => seq !== 3).map(() => 1));
    expect(times(3)).toBe(3);
  });
});
