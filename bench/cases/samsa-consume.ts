// Cases 2 and 4: a samsa @StreamHandler validating each message, stateless or counting per key in
// a state store (SQLite or Postgres). Stateful repetitions end when the last offset is committed
// with its state, not when the last handler returns.
import { Controller, Inject, Module, type Type } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  InjectStore,
  startStreamWorker,
  StreamHandler,
  StreamStoreModule,
  type StateStore,
  type StoreConnectionOptions,
} from '@samsa/stream-store';
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchEvent } from '../support/bench-event.js';
import { runCase, uniqueId, Window, within, type CaseParams } from '../support/case.js';
import { FETCH_MAX_WAIT_MS } from '../support/kafka.js';
import { until } from '../support/poll.js';
import { PG_URL, pgQuery, withSchema } from '../support/postgres.js';

interface Params extends CaseParams {
  /** Without the run's prefix (samsa's `topicPrefix` adds it). */
  topic: string;
  /** Stateful: where the counters live. */
  store?: 'sqlite' | 'postgres';
  /** Stateful: write the store's changelog topic too (samsa's default on SQLite). Default false. */
  changelog?: boolean;
  /**
   * Stateless variants, to tell the framework's cost from validation's: `bytes` takes the raw
   * value (no decoding, no validation), `batch` the validated events of a fetch as one array.
   */
  variant?: 'bytes' | 'batch';
  /** Soak: sample the RSS through the window, report its median over the first and the last fifth. */
  sampleRss?: boolean;
}

function statelessController(topic: string): Type {
  @Controller()
  class Stateless {
    constructor(@Inject(Window) private readonly window: Window) {}

    @StreamHandler(topic)
    on(@Payload() _event: BenchEvent): void {
      this.window.hit();
    }
  }
  return Stateless;
}

function bytesController(topic: string): Type {
  @Controller()
  class Bytes {
    constructor(@Inject(Window) private readonly window: Window) {}

    @StreamHandler(topic)
    on(@Payload() _value: Buffer): void {
      this.window.hit();
    }
  }
  return Bytes;
}

function batchController(topic: string): Type {
  @Controller()
  class Batch {
    constructor(@Inject(Window) private readonly window: Window) {}

    @StreamHandler(topic, { batch: true, schema: BenchEvent })
    on(@Payload() events: BenchEvent[]): void {
      this.window.hit(events.length);
    }
  }
  return Batch;
}

const controllers = { bytes: bytesController, batch: batchController };

function counterController(topic: string): Type {
  @Controller()
  class Counter {
    constructor(
      @Inject(Window) private readonly window: Window,
      @InjectStore('counts') private readonly counts: StateStore<number>,
    ) {}

    @StreamHandler(topic)
    async on(@Payload() event: BenchEvent): Promise<void> {
      await this.counts.update(event.key, (count) => (count ?? 0) + 1);
      this.window.hit();
    }
  }
  return Counter;
}

function benchModule(params: Params, window: Window, store?: StoreConnectionOptions): Type {
  @Module({
    imports: [
      StreamStoreModule.forRoot({
        brokers: params.brokers,
        appId: uniqueId('samsa'), // a fresh consumer group each repetition
        topicPrefix: params.prefix,
        store,
        consumer: { maxWaitTimeInMs: FETCH_MAX_WAIT_MS },
      }),
      ...(store
        ? [StreamStoreModule.forFeature([{ name: 'counts', changelog: params.changelog ?? false }])]
        : []),
    ],
    controllers: [
      (store ? counterController : params.variant ? controllers[params.variant] : statelessController)(
        params.topic,
      ),
    ],
    providers: [{ provide: Window, useValue: window }],
  })
  class BenchModule {}
  return BenchModule;
}

/** `committed()`: the offsets stored with the state, summed over partitions (= messages done). */
async function measure(params: Params, store?: StoreConnectionOptions, committed?: () => Promise<number>) {
  const window = new Window(params.messages, params.messageBytes);
  const app = await startStreamWorker(benchModule(params, window, store), {
    logger: ['error', 'warn'],
    signals: false,
  });
  const rss = params.sampleRss ? sampleRss(window) : undefined;
  try {
    const progress = () => `${window.handled}/${params.messages} handled`;
    await within(window.reached, params.timeoutMs, progress);
    if (committed)
      await within(
        until(async () => (await committed()) >= params.messages),
        30_000,
        progress,
      );
    return window.close(rss?.stop());
  } finally {
    await app.close();
  }
}

/** RSS every 100 ms once messages flow, against how far the window got. */
function sampleRss(window: Window) {
  const samples: Array<{ at: number; mb: number }> = [];
  const timer = setInterval(() => {
    if (window.handled > 0)
      samples.push({ at: window.handled / window.target, mb: process.memoryUsage.rss() / 2 ** 20 });
  }, 100);
  const medianOf = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1] ?? NaN;
  return {
    stop: () => {
      clearInterval(timer);
      return {
        rssStartMb: medianOf(samples.filter((s) => s.at <= 0.2).map((s) => s.mb)),
        rssEndMb: medianOf(samples.filter((s) => s.at >= 0.8).map((s) => s.mb)),
      };
    },
  };
}

const SUM_OFFSETS = 'SELECT SUM("next_offset") AS "done" FROM';

await runCase<Params>(async (params) => {
  if (params.store === 'sqlite') {
    const database = join(tmpdir(), `${uniqueId('samsa-bench')}.sqlite`);
    try {
      return await measure(params, { type: 'sqlite', database }, async () => {
        const db = new Database(database, { readonly: true });
        try {
          return Number((db.prepare(`${SUM_OFFSETS} "samsa_offsets"`).get() as { done: number }).done);
        } finally {
          db.close();
        }
      });
    } finally {
      for (const suffix of ['', '-wal', '-shm']) rmSync(database + suffix, { force: true });
    }
  }
  if (params.store === 'postgres') {
    return withSchema((schema) =>
      measure(params, { type: 'postgres', url: PG_URL, schema }, async () => {
        const [row] = await pgQuery<{ done: string }>(`${SUM_OFFSETS} "${schema}"."samsa_offsets"`);
        return Number(row.done);
      }),
    );
  }
  return measure(params);
});
