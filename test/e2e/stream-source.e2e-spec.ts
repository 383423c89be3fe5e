import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Schema } from '@samsa/schema';
import {
  ConfigurationError,
  StreamHealth,
  StreamMetrics,
  StreamStoreModule,
  getStateStoreToken,
  type StateStore,
} from '@samsa/stream-store';
import { IsInt, IsString, Min } from 'class-validator';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamSource } from '../../libs/stream-store/src/sources/stream-source.decorator.js';
import type { SourceRunContext } from '../../libs/stream-store/src/sources/stream-source-options.interface.js';
import { StreamSources } from '../../libs/stream-store/src/sources/stream-sources.js';
import { consumeAll, createKafka, kafkaBrokers, uniqueName, waitFor } from '../support/kafka.js';
import { startStreamApp } from '../support/stream-app.js';

@Schema('SourceWord', { version: 1 })
class Word {
  @IsString() word!: string;
}

@Schema('SourceTick', { version: 1 })
class Tick {
  @IsInt() i!: number;
  @IsString() pad!: string;
}

class WordLength {
  @IsInt() @Min(1) length!: number;
}

const WORDS = ['as', 'gregor', 'samsa', 'awoke', 'one', 'morning', 'from', 'uneasy', 'dreams'];
const word = (text: string) => Object.assign(new Word(), { word: text });

@Injectable()
class Sources {
  endlessClosed = false;

  /** snapstream's `snap(iterable, sink=[topic])`: a generator, once, at startup. */
  @StreamSource<Word>({ sink: 'words', key: (item) => item.word })
  *words(): Iterable<Word> {
    for (const text of WORDS) yield word(text);
  }

  /** snapstream's `Cache`: entries into a store, validated; the invalid one is skipped. */
  @StreamSource({ sink: { store: 'lengths' }, schema: WordLength, onInvalid: 'skip' })
  lengths(): Array<[string, object]> {
    return [...WORDS.map((text): [string, object] => [text, { length: text.length }]), ['', { length: 0 }]];
  }

  /** Again every 100 ms, into a store. */
  @StreamSource({ sink: { store: 'runs' }, every: '100ms' })
  async *scheduled({ run }: SourceRunContext): AsyncIterable<[string, object]> {
    for (let i = 0; i < 2; i++) yield [`run${run}-${i}`, { run, i }];
  }

  /** Never ends by itself: shutdown stops it; a small in-flight bound makes it wait for Kafka. */
  @StreamSource({ sink: 'ticks', key: () => 'tick', maxInFlightBytes: 4096 })
  async *endless({ signal }: SourceRunContext): AsyncIterable<Tick> {
    try {
      for (let i = 0; !signal.aborted; i++) {
        yield Object.assign(new Tick(), { i, pad: 'x'.repeat(200) });
        if (i % 20 === 19) await sleep(5);
      }
    } finally {
      this.endlessClosed = true;
    }
  }

  /** Fails after two items: those are still published, health says why it stopped. */
  @StreamSource({ sink: 'broken' })
  async *broken(): AsyncIterable<Word> {
    yield word('one');
    yield word('two');
    throw new Error('the feed broke');
  }
}

function appModule(prefix: string, stores: string[]) {
  @Module({
    imports: [
      StreamStoreModule.forRoot({
        brokers: kafkaBrokers(),
        clientId: uniqueName('source-app'),
        topicPrefix: prefix,
        topics: { partitions: 1, replicationFactor: 1 },
        store: {
          type: 'sqlite',
          database: join(mkdtempSync(join(tmpdir(), 'samsa-source-')), 'state.sqlite'),
        },
      }),
      StreamStoreModule.forFeature(stores),
    ],
    providers: [Sources],
  })
  class SourceTestModule {}
  return SourceTestModule;
}

async function endOffset(topic: string): Promise<number> {
  const admin = createKafka().admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, { high }) => sum + Number(high), 0);
  } finally {
    await admin.disconnect();
  }
}

const status = (app: INestApplication, source: string) => {
  const found = app
    .get(StreamSources)
    .status()
    .find((entry) => entry.source === `Sources.${source}`);
  if (!found) throw new Error(`no source ${source}`);
  return found;
};

describe('@StreamSource on the real broker', () => {
  const prefix = `${uniqueName('source')}.`;
  let app: INestApplication;
  let sources: StreamSources;
  let closed = false;

  beforeAll(async () => {
    app = await startStreamApp(appModule(prefix, ['lengths', 'runs']));
    sources = app.get(StreamSources);
  }, 60_000);
  afterAll(async () => {
    if (!closed) await app?.close();
  });

  it('publishes an iterable to a topic at startup, keyed, and shows it in health and metrics', async () => {
    await waitFor(() => status(app, 'words').state === 'done', { timeoutMs: 30_000, message: 'words done' });
    const records = await consumeAll(`${prefix}words`, WORDS.length);
    expect(records.map(({ key }) => String(key))).toEqual(WORDS);
    expect(records.map(({ value }) => JSON.parse(String(value)).data.word)).toEqual(WORDS);
    expect(await endOffset(`${prefix}words`)).toBe(WORDS.length);
    expect(status(app, 'words')).toMatchObject({ runs: 1, items: WORDS.length, sinks: ['topic words'] });
    const report = await app.get(StreamHealth).check();
    expect(report.sources.find((entry) => entry.source === 'Sources.words')?.state).toBe('done');
    const metric = await app.get(StreamMetrics).registry.getSingleMetric('samsa_source_items_total')?.get();
    const words = metric?.values.find((value) => value.labels.source === 'Sources.words');
    expect(words?.value).toBe(WORDS.length);
    expect(words?.labels.sink).toBe('topic words');
  });

  it('writes entries into a state store, validated, skipping the invalid one', async () => {
    await waitFor(() => status(app, 'lengths').state === 'done', { timeoutMs: 30_000, message: 'lengths' });
    const store = app.get<StateStore<{ length: number }>>(getStateStoreToken('lengths'));
    for (const text of WORDS) expect(await store.get(text)).toEqual({ length: text.length });
    expect(await store.count()).toBe(WORDS.length);
    expect(status(app, 'lengths')).toMatchObject({ items: WORDS.length, skipped: 1 });
  });

  it('runs a scheduled source again and again', async () => {
    await waitFor(() => status(app, 'scheduled').runs >= 3, { timeoutMs: 30_000, message: 'three runs' });
    await waitFor(() => status(app, 'scheduled').state === 'waiting', { message: 'between runs' });
    const { runs, items } = status(app, 'scheduled');
    expect(items).toBe(runs * 2);
    const store = app.get<StateStore<{ run: number; i: number }>>(getStateStoreToken('runs'));
    expect(await store.get('run3-1')).toEqual({ run: 3, i: 1 });
    expect(status(app, 'scheduled').scheduled).toBe(true);
  });

  it('reports a failed source as unhealthy, with the items it gave before failing published', async () => {
    await waitFor(() => status(app, 'broken').state === 'failed', { timeoutMs: 30_000, message: 'failed' });
    expect(status(app, 'broken')).toMatchObject({ items: 2, error: 'the feed broke' });
    expect(await endOffset(`${prefix}broken`)).toBe(2);
    const report = await app.get(StreamHealth).check();
    expect(report.status).toBe('unhealthy');
    expect(report.problems).toContain('source Sources.broken failed: the feed broke');
  });

  it('stops an endless source on shutdown: return() called, everything it gave published, nothing after', async () => {
    await waitFor(() => status(app, 'endless').items >= 300, { timeoutMs: 30_000, message: '300 ticks' });
    await app.close();
    closed = true;
    const stopped = sources.status().find((entry) => entry.source === 'Sources.endless');
    expect(stopped?.state).toBe('stopped');
    expect(app.get(Sources).endlessClosed).toBe(true);
    // Every tick the source handed on is in Kafka, in order, and none came after the close.
    const items = stopped?.items ?? 0;
    expect(await endOffset(`${prefix}ticks`)).toBe(items);
    const records = await consumeAll(`${prefix}ticks`, items, { timeoutMs: 60_000 });
    expect(records.map(({ value }) => JSON.parse(String(value)).data.i)).toEqual(
      Array.from({ length: items }, (_, i) => i),
    );
  }, 90_000);
});

describe('@StreamSource configuration', () => {
  it('fails startup when a store sink names a store that was not declared', async () => {
    const app = await NestFactory.create(appModule(`${uniqueName('source')}.`, ['runs']), {
      logger: false,
      abortOnError: false,
    });
    const error: unknown = await app.init().catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/No state store "lengths": declare it with StreamStoreModule/);
    await app.close();
  });
});
