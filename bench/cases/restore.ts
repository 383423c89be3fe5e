// Case 8, samsa's side: restoring a state store from its changelog (the raw side is raw-consume.ts
// reading that same changelog topic, from its group join).
//
// ── Changelog slot ───────────────────────────────────────────────────────────────────────────────
// Skipped with "changelog not available" unless @samsa/stream-store provides, through its public
// API: ClusterView listing a topic of kind 'changelog' once a `changelog: true` store was written,
// StreamHealth reporting restoring partitions, and StreamMetrics counting restored records.
// Measured per repetition, with a fresh SQLite file and the same appId (so the same changelog and
// group): from the first sign of a restore until every changelog record is applied. The changelog
// is written once, by a separate process, so the peak RSS reported is the restoring process's.
// ─────────────────────────────────────────────────────────────────────────────────────────────────
import { Controller, Module, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, Payload } from '@nestjs/microservices';
import * as samsa from '@samsa/stream-store';
import {
  ClusterView,
  getStateStoreToken,
  StreamMetrics,
  InjectStore,
  StreamContext,
  StreamHandler,
  StreamHealth,
  StreamStoreModule,
  StreamStoreServer,
  type StateStore,
} from '@samsa/stream-store';
import { fork } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchEvent } from '../support/bench-event.js';
import { runCase, Skip, uniqueId, Window, within, type CaseParams } from '../support/case.js';
import { FETCH_MAX_WAIT_MS } from '../support/kafka.js';
import { until } from '../support/poll.js';

interface Params extends CaseParams {
  /** Without the run's prefix: `messages` records, each with its own key. */
  topic: string;
  /** Names the changelog topic: `<prefix><appId>-counts-changelog`. */
  appId: string;
}

const NOT_AVAILABLE = 'changelog not available';

function counterController(topic: string, window: Window): Type {
  @Controller()
  class Counter {
    constructor(@InjectStore('counts') private readonly counts: StateStore<number>) {}

    @StreamHandler(topic)
    async on(@Payload() _event: BenchEvent, @Ctx() ctx: StreamContext): Promise<void> {
      await this.counts.update(ctx.key ?? '', (count) => (count ?? 0) + 1);
      window.hit();
    }
  }
  return Counter;
}

function benchModule(params: Params, appId: string, database: string, window: Window): Type {
  @Module({
    imports: [
      StreamStoreModule.forRoot({
        brokers: params.brokers,
        appId,
        topicPrefix: params.prefix,
        store: { type: 'sqlite', database },
        // Smaller fetches than KafkaJS's 1 MiB per partition: samsa writes a consumed batch's
        // changelog records as one record batch, and ~6 700 of them (a 1 MiB fetch of 100 B
        // records) exceed the broker's 1 MiB message.max.bytes, which crashes the consumer.
        consumer: { maxWaitTimeInMs: FETCH_MAX_WAIT_MS, maxBytesPerPartition: 256 * 1024 },
      }),
      StreamStoreModule.forFeature([{ name: 'counts', changelog: true }]),
    ],
    controllers: [counterController(params.topic, window)],
  })
  class RestoreModule {}
  return RestoreModule;
}

async function start(module: Type): Promise<INestApplication> {
  const app = await NestFactory.create(module, { logger: ['error', 'warn'] });
  app.connectMicroservice({ strategy: app.get(StreamStoreServer) }, { inheritAppConfig: true });
  return app;
}

/** Not measured: an instance with a changelog store handles the keyed topic once. */
async function writeChangelog(params: Params, appId: string): Promise<void> {
  const database = join(tmpdir(), `${uniqueId('restore-source')}.sqlite`);
  const window = new Window(params.messages, 0, false);
  const app = await start(benchModule(params, appId, database, window));
  try {
    await app.startAllMicroservices();
    await app.init();
    await within(window.reached, params.timeoutMs, () => `${window.handled}/${params.messages} handled`);
    const topics = await app.get(ClusterView).topics();
    if (!topics.some((topic) => topic.kind === 'changelog')) throw new Skip(NOT_AVAILABLE);
  } finally {
    await app.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(database + suffix, { force: true });
  }
}

/**
 * Writes the changelog in a process of its own, so this process's memory (peak RSS) is the
 * restore's alone. Rejects with `Skip` when the changelog did not come out.
 */
async function writeChangelogAside(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), {
    env: { ...process.env, [WRITER]: '1' },
    stdio: 'inherit',
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code === SKIPPED) throw new Skip(NOT_AVAILABLE);
  if (code !== 0) throw new Error(`the changelog writer exited with ${code}`);
}

const WRITER = 'BENCH_RESTORE_WRITER';
const SKIPPED = 3;

if (process.env[WRITER]) {
  const params = JSON.parse(process.env.BENCH_PARAMS ?? '{}') as Params;
  await writeChangelog(params, params.appId).then(
    () => process.exit(0),
    (error: unknown) => {
      if (!(error instanceof Skip)) console.error(error);
      process.exit(error instanceof Skip ? SKIPPED : 1);
    },
  );
}

let written = false;
await runCase<Params>(async (params) => {
  if (!['ClusterView', 'StreamHealth', 'StreamMetrics'].every((name) => name in samsa))
    throw new Skip(NOT_AVAILABLE);
  if (!written) {
    await writeChangelogAside();
    written = true;
  }
  const database = join(tmpdir(), `${uniqueId('restored')}.sqlite`);
  const window = new Window(params.messages, params.messageBytes);
  const app = await start(benchModule(params, params.appId, database, new Window(0, 0, false)));
  const health = app.get(StreamHealth);
  const counter = app.get(StreamMetrics).registry.getSingleMetric('samsa_restored_records_total');
  let applied = 0;
  const restored = async () =>
    (applied = ((await counter?.get())?.values ?? []).reduce((sum, { value }) => sum + value, 0));
  try {
    // The first sign of a restore opens the window, the last record applied closes it.
    void until(async () => (await restored()) > 0 || (await health.check()).restoring.length > 0, 2).then(
      () => window.open(),
    );
    await app.startAllMicroservices();
    await app.init();
    await within(
      until(async () => (await restored()) >= params.messages, 2),
      params.timeoutMs,
      () => `${applied}/${params.messages} records restored`,
    );
    window.hit(params.messages);
    const measurement = window.close();
    const count = await app.get<StateStore<number>>(getStateStoreToken('counts')).count();
    if (count !== params.messages) throw new Error(`restored ${count} of ${params.messages} keys`);
    return measurement;
  } finally {
    await app.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(database + suffix, { force: true });
  }
});
