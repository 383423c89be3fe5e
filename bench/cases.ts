// What `npm run bench` measures: the sizes of each mode and the list of cases, in running order.
// Every case is one file under cases/ run in its own process, `reps` times.
import type { Summary } from './report.js';

export interface Sizes {
  /** Messages of each consume case (1 KB and 100 B topics). */
  messages: number;
  /**
   * Messages the raw consumers read on the 100 B topic: at ~6 700 records per partition fetch,
   * `messages` would be over in two or three fetches.
   */
  raw100b: number;
  /** Messages of the naive TypeORM cases (they run at about a thousand a second). */
  naive: number;
  /** Messages published one awaited call at a time. */
  awaited: number;
  /** Rows upserted by the store-ceiling cases. */
  storeRows: number;
  /** Keys restored from a changelog (and read raw). */
  restoreKeys: number;
  /** Messages of the latency cases (at `rate` a second). */
  latency: number;
}

export const SIZES: Record<'quick' | 'full', Sizes> = {
  quick: {
    messages: 20_000,
    raw100b: 200_000,
    naive: 2_000,
    awaited: 2_000,
    storeRows: 100_000,
    restoreKeys: 20_000,
    latency: 3_000,
  },
  full: {
    messages: 200_000,
    raw100b: 1_000_000,
    naive: 20_000,
    awaited: 20_000,
    storeRows: 1_000_000,
    restoreKeys: 100_000,
    latency: 20_000,
  },
};

export const PARTITIONS = 3;
export const LATENCY_RATE = 1_000;
/** samsa's default publish batch (DEFAULTS.publishBatch.maxMessages). */
export const PUBLISH_BATCH = 500;
/** Flush size for the store ceiling when the raw eachBatch case did not run. */
const DEFAULT_FLUSH_ROWS = 1_000;

/** The preloaded topics, without the run's prefix. */
export const TOPICS = { json1k: 'json-1k', json100: 'json-100b', keys: 'keys-100b' } as const;
/** The restore case's application, and the changelog its `counts` store writes (samsa's naming). */
const RESTORE_APP_ID = 'bench-restore';
const RESTORE_CHANGELOG = `${RESTORE_APP_ID}-counts-changelog`;

export interface CaseSpec {
  name: string;
  /** Under bench/cases/, compiled to bench/dist/cases/. */
  file: string;
  /** One line for the table and the README. */
  what: string;
  /** Case-specific parameters; `done` holds the summaries of the cases run so far. */
  params: (
    sizes: Sizes,
    done: ReadonlyMap<string, Summary>,
  ) => { messages: number; messageBytes: number } & Record<string, unknown>;
}

const consume =
  (topic: string, bytes: number, extra: Record<string, unknown> = {}) =>
  (sizes: Sizes) => ({
    topic,
    messages: sizes.messages,
    messageBytes: bytes,
    ...extra,
  });

const flushRows = (done: ReadonlyMap<string, Summary>) =>
  Math.round(done.get('raw-batch-1k')?.extra.messagesPerBatch ?? DEFAULT_FLUSH_ROWS);

const store = (driver: string) => (sizes: Sizes, done: ReadonlyMap<string, Summary>) => ({
  driver,
  batchSize: flushRows(done),
  messages: sizes.storeRows,
  messageBytes: 0,
});

const publish = (mode: string, awaited: boolean) => (sizes: Sizes) => ({
  mode,
  batchSize: PUBLISH_BATCH,
  messages: awaited ? sizes.awaited : sizes.messages,
  messageBytes: 1024,
});

const latency = (mode: string) => (sizes: Sizes) => ({
  mode,
  rate: LATENCY_RATE,
  messages: sizes.latency,
  messageBytes: 1024,
});

export const CASES: CaseSpec[] = [
  {
    name: 'raw-batch-1k',
    file: 'raw-consume.js',
    what: 'kafkajs eachBatch, no-op (1 KB)',
    params: consume(TOPICS.json1k, 1024, { mode: 'eachBatch' }),
  },
  {
    name: 'raw-message-1k',
    file: 'raw-consume.js',
    what: 'kafkajs eachMessage, no-op (1 KB)',
    params: consume(TOPICS.json1k, 1024, { mode: 'eachMessage' }),
  },
  {
    name: 'raw-batch-100b',
    file: 'raw-consume.js',
    what: 'kafkajs eachBatch, no-op (100 B)',
    params: (sizes) => ({
      topic: TOPICS.json100,
      mode: 'eachBatch',
      messages: sizes.raw100b,
      messageBytes: 100,
    }),
  },
  {
    name: 'samsa-1k',
    file: 'samsa-consume.js',
    what: 'samsa @StreamHandler, validated DTO (1 KB)',
    params: consume(TOPICS.json1k, 1024),
  },
  {
    name: 'samsa-100b',
    file: 'samsa-consume.js',
    what: 'samsa @StreamHandler, validated DTO (100 B)',
    params: consume(TOPICS.json100, 100),
  },
  {
    name: 'samsa-soak-100b',
    file: 'samsa-consume.js',
    what: 'samsa-100b over as many messages as raw-batch-100b (1M in a full run), RSS sampled throughout',
    params: (sizes) => ({ ...consume(TOPICS.json100, 100)(sizes), messages: sizes.raw100b, sampleRss: true }),
  },
  {
    name: 'samsa-bytes-1k',
    file: 'samsa-consume.js',
    what: 'diagnostic: samsa handler taking the raw Buffer (no decoding, no validation)',
    params: consume(TOPICS.json1k, 1024, { variant: 'bytes' }),
  },
  {
    name: 'samsa-batch-1k',
    file: 'samsa-consume.js',
    what: 'diagnostic: samsa handler with batch: true (validated arrays)',
    params: consume(TOPICS.json1k, 1024, { variant: 'batch' }),
  },
  {
    name: 'nest-kafka-1k',
    file: 'nest-kafka.js',
    what: 'Nest ServerKafka @EventPattern + ValidationPipe (1 KB)',
    params: consume(TOPICS.json1k, 1024, { mode: 'validate' }),
  },
  {
    name: 'samsa-sqlite-1k',
    file: 'samsa-consume.js',
    what: 'samsa counter per key, state store on SQLite (1 KB)',
    params: consume(TOPICS.json1k, 1024, { store: 'sqlite' }),
  },
  {
    name: 'samsa-sqlite-changelog-1k',
    file: 'samsa-consume.js',
    what: "the same with the store's changelog topic (SQLite's default)",
    params: consume(TOPICS.json1k, 1024, { store: 'sqlite', changelog: true }),
  },
  {
    name: 'samsa-postgres-1k',
    file: 'samsa-consume.js',
    what: 'samsa counter per key, state store on Postgres (1 KB)',
    params: consume(TOPICS.json1k, 1024, { store: 'postgres' }),
  },
  {
    name: 'naive-sqlite-1k',
    file: 'nest-kafka.js',
    what: 'ServerKafka + TypeORM findOneBy/save per message, SQLite defaults',
    params: (sizes) => ({ ...consume(TOPICS.json1k, 1024, { mode: 'naive' })(sizes), messages: sizes.naive }),
  },
  {
    name: 'naive-sqlite-wal-1k',
    file: 'nest-kafka.js',
    what: "the same with samsa's SQLite settings (WAL, synchronous=NORMAL)",
    params: (sizes) => ({
      ...consume(TOPICS.json1k, 1024, { mode: 'naive-wal' })(sizes),
      messages: sizes.naive,
    }),
  },
  {
    name: 'store-better-sqlite3',
    file: 'store-ceiling.js',
    what: 'better-sqlite3 upserts, one transaction per flush (rows/s)',
    params: store('better-sqlite3'),
  },
  {
    name: 'store-pg',
    file: 'store-ceiling.js',
    what: 'pg unnest() upsert per flush (rows/s)',
    params: store('pg'),
  },
  {
    name: 'store-typeorm-sqlite',
    file: 'store-ceiling.js',
    what: 'the same through a TypeORM query runner, SQLite',
    params: store('typeorm-sqlite'),
  },
  {
    name: 'store-typeorm-pg',
    file: 'store-ceiling.js',
    what: 'the same through a TypeORM query runner, Postgres',
    params: store('typeorm-pg'),
  },
  {
    name: 'publish-samsa',
    file: 'publish.js',
    what: 'StreamPublisher.publish() awaited one by one',
    params: publish('samsa-publish', true),
  },
  {
    name: 'publish-samsa-batch',
    file: 'publish.js',
    what: `publisher.batch(), ${PUBLISH_BATCH} per request`,
    params: publish('samsa-batch', false),
  },
  {
    name: 'publish-raw',
    file: 'publish.js',
    what: `kafkajs send() of ${PUBLISH_BATCH}, awaited in turn`,
    params: publish('raw-send', false),
  },
  {
    name: 'publish-nest-emit',
    file: 'publish.js',
    what: 'ClientKafka.emit() awaited one by one',
    params: publish('nest-emit', true),
  },
  {
    name: 'restore-samsa',
    file: 'restore.js',
    what: 'samsa changelog restore into a fresh SQLite store',
    params: (sizes) => ({
      topic: TOPICS.keys,
      appId: RESTORE_APP_ID,
      messages: sizes.restoreKeys,
      messageBytes: 0,
    }),
  },
  {
    name: 'restore-raw',
    file: 'raw-consume.js',
    what: 'kafkajs eachBatch over that changelog, from the group join',
    // The changelog restore-samsa restored from (its input topic when it did not run), read from
    // the group join, as a restore also waits for its first fetch.
    params: (sizes, done) => ({
      topic: done.get('restore-samsa')?.status === 'done' ? RESTORE_CHANGELOG : TOPICS.keys,
      mode: 'eachBatch',
      fromJoin: true,
      messages: sizes.restoreKeys,
      messageBytes: 0,
    }),
  },
  {
    name: 'latency-samsa',
    file: 'latency.js',
    what: `samsa @StreamHandler at ${LATENCY_RATE} msg/s (1 KB)`,
    params: latency('samsa'),
  },
  {
    name: 'latency-raw',
    file: 'latency.js',
    what: `kafkajs eachMessage at ${LATENCY_RATE} msg/s (1 KB)`,
    params: latency('raw'),
  },
];
