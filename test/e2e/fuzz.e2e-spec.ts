// Issue 13, "Done when": ≥ 10 000 hostile records (random bytes, huge and deep JSON, wrong schema refs,
// `__proto__` keys and headers, invalid UTF-8, tombstones, empty values, batches of every codec) into
// a stateful app with a DTO handler and a record handler on the same topics. Every record is followed
// to its fate through its `fuzz-id` header. The seed is printed; `FUZZ_SEED=<n>` replays a run.
import { createHash, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Injectable, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  DEAD_LETTER_HEADERS,
  InjectStore,
  KafkajsClient,
  StreamContext,
  StreamHandler,
  StreamHealth,
  StreamMetrics,
  StreamRecord,
  StreamStoreModule,
  StreamStoreServer,
  type KafkaRecord,
  type RecordHeaders,
  type StateStore,
} from '@samsa/stream-store';
import kafkajs, { type Message } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  consumeAll,
  createKafka,
  createTopic,
  kafkaBrokers,
  uniqueName,
  type ConsumedMessage,
} from '../support/kafka.js';
import { toRecordHeaders } from '../../libs/stream-store/src/kafka/kafkajs/to-kafka-record.js';
import { CapturingLogger } from './fixtures/capturing-logger.js';
import { committedInKafka, sqliteTables, topicEnds } from './fixtures/counting-worker.support.js';
import {
  FUZZ_ID_HEADER,
  FuzzItem,
  fuzzRecords,
  type Codec,
  type Fate,
  type FuzzRecord,
} from './fixtures/fuzz-records.js';

const { CompressionTypes, Partitioners } = kafkajs;

const SEED = process.env.FUZZ_SEED === undefined ? randomInt(2 ** 31) : Number(process.env.FUZZ_SEED);
const RECORDS = 10_000;
/** Larger than the broker's default record limit (1 MiB), which a dead-letter topic must not fall back to. */
const HUGE_BYTES = 1_500_000;
/** The topics accept records up to 3 MiB (the broker's default is 1 MiB); segments must hold one. */
const LARGE_TOPIC = {
  'max.message.bytes': String(3 * 1024 * 1024),
  'segment.bytes': String(8 * 1024 * 1024),
};
/** Bytes of records per produce request: the batch of each partition stays below the topic's limit. */
const REQUEST_BYTES = 900 * 1024;

const prefix = `${uniqueName('fuzz')}.`;
const topics = ['fuzz.a', 'fuzz.b'];
const groups = { dto: uniqueName('fuzz-dto'), record: uniqueName('fuzz-record') };
const DTO_HANDLER = 'FuzzController.item';
const dir = mkdtempSync(join(tmpdir(), 'samsa-fuzz-'));
const database = join(dir, 'state.sqlite');

// Taken before anything ran: a polluted prototype shows up as a new own property.
const prototypeKeys = Reflect.ownKeys(Object.prototype);

const sha1 = (value: Buffer | null) =>
  value === null ? 'null' : createHash('sha1').update(value).digest('hex');
const text = (value: RecordHeaders[string] | undefined) =>
  Array.isArray(value) ? value.map(String).join(',') : value?.toString();
const idOf = (headers: RecordHeaders) => Number(text(headers[FUZZ_ID_HEADER]));
const hex = (value: Buffer | string) => Buffer.from(value).toString('hex');
/** Header names and values as one comparable string; `samsa.dlq.*` ones are left out. */
const headerDigest = (headers: RecordHeaders) =>
  Object.keys(headers)
    .filter((name) => !name.startsWith('samsa.dlq.'))
    .sort()
    .map((name) => {
      const value = headers[name];
      return `${name}=${Array.isArray(value) ? value.map(hex).join('|') : value === undefined ? '' : hex(value)}`;
    })
    .join(';');

/** What the handlers saw, by record id. */
@Injectable()
class Observed {
  readonly handled = new Map<number, number>();
  readonly seen = new Map<number, number>();
  /** The value's digest and the headers' digest of each record the record handler saw. */
  readonly seenValues = new Map<number, string>();
  /** Anything a handler found wrong with what it was given. */
  readonly anomalies: string[] = [];
}

@Controller()
class FuzzController {
  constructor(
    @InjectStore('counts') private readonly counts: StateStore<number>,
    private readonly observed: Observed,
  ) {}

  @StreamHandler('fuzz.*', { group: groups.dto })
  async item(@Payload() item: FuzzItem, @Ctx() ctx: StreamContext): Promise<void> {
    const id = idOf(ctx.headers);
    this.observed.handled.set(id, (this.observed.handled.get(id) ?? 0) + 1);
    const keys = Object.keys(item).sort().join(',');
    if (Object.getPrototypeOf(item) !== FuzzItem.prototype || keys !== 'n,name')
      this.observed.anomalies.push(`record ${id}: a FuzzItem with keys ${keys} and another prototype`);
    const { key } = ctx;
    if (key === undefined) throw new Error(`record ${id} has no key`);
    await this.counts.update(key, (n) => (n ?? 0) + 1);
  }

  @StreamHandler('fuzz.*', { group: groups.record })
  record(@StreamRecord() record: KafkaRecord): void {
    const id = idOf(record.headers);
    this.observed.seen.set(id, (this.observed.seen.get(id) ?? 0) + 1);
    this.observed.seenValues.set(id, `${sha1(record.value)} ${headerDigest(record.headers)}`);
  }
}

@Module({
  imports: [
    StreamStoreModule.forRoot({
      brokers: kafkaBrokers(),
      clientId: uniqueName('fuzz'),
      appId: uniqueName('fuzz-app'),
      topicPrefix: prefix,
      store: { type: 'sqlite', database },
      topics: { partitions: 3, replicationFactor: 1 },
      retry: { attempts: 2, initialDelayMs: 50, maxDelayMs: 100 },
    }),
    StreamStoreModule.forFeature(['counts']),
  ],
  controllers: [FuzzController],
  providers: [Observed],
})
class FuzzModule {}

/** Sends the records in requests of at most REQUEST_BYTES, one codec and topic per request. */
async function produceAll(records: FuzzRecord[]): Promise<void> {
  const kafka = createKafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
  // KafkaJS has gzip only; samsa's producer brings the other codecs.
  const samsa = new KafkajsClient({ brokers: kafkaBrokers(), clientId: uniqueName('fuzz-producer') });
  const producers = new Map(
    (['snappy', 'lz4', 'zstd'] as const).map((codec) => [
      codec,
      samsa.producer({ idempotent: true, acks: -1, compression: codec }),
    ]),
  );
  await Promise.all([kafka.connect(), ...[...producers.values()].map((producer) => producer.connect())]);
  const send = async (topic: string, codec: Codec, messages: Message[]) => {
    const producer =
      codec === 'snappy' || codec === 'lz4' || codec === 'zstd' ? producers.get(codec) : undefined;
    if (producer) await producer.send([{ topic, messages }]);
    else
      await kafka.send({
        topic,
        messages,
        compression: codec === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
      });
  };
  try {
    const lanes = new Map<string, FuzzRecord[]>();
    for (const record of records) {
      const lane = `${record.topic}/${record.codec}`;
      lanes.set(lane, [...(lanes.get(lane) ?? []), record]);
    }
    for (const lane of lanes.values()) {
      const topic = prefix + topics[lane[0].topic];
      let request: Message[] = [];
      let bytes = 0;
      for (const { key, value, headers } of lane) {
        const size = (value?.length ?? 0) + 200;
        if (request.length > 0 && bytes + size > REQUEST_BYTES) {
          await send(topic, lane[0].codec, request);
          request = [];
          bytes = 0;
        }
        request.push({ key, value, headers });
        bytes += size;
      }
      if (request.length > 0) await send(topic, lane[0].codec, request);
    }
  } finally {
    await Promise.all([
      kafka.disconnect(),
      ...[...producers.values()].map((producer) => producer.disconnect()),
    ]);
  }
}

/** The sum of a topic's partition ends (0 when it does not exist). */
async function recordsIn(topic: string): Promise<number> {
  const admin = createKafka().admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return 0;
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, { high }) => sum + Number(high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Partitions whose committed offset (in SQL and in Kafka) is not at the end of the log. */
async function uncommitted(group: string): Promise<string[]> {
  const behind: string[] = [];
  for (const topic of topics.map((name) => prefix + name)) {
    const [ends, stored, kafka] = await Promise.all([
      topicEnds(topic),
      sqliteTables(database).offsets(group, topic),
      committedInKafka(group, topic),
    ]);
    for (const [partition, end] of ends) {
      if (stored.get(partition) !== end)
        behind.push(`${topic}[${partition}] SQL ${stored.get(partition)}/${end}`);
      if (!kafka.split(', ').includes(`p${partition} ${end}`))
        behind.push(`${topic}[${partition}] Kafka ${kafka} / ${end}`);
    }
  }
  return behind;
}

/**
 * Waits until both groups committed to the end of every partition; fails at once when health turns
 * unhealthy on the way (a halted partition or a consumer that keeps restarting never gets there).
 */
async function untilCommitted(nest: INestApplication): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const behind = (await Promise.all(Object.values(groups).map(uncommitted))).flat();
    if (behind.length === 0) return;
    const { problems } = await nest.get(StreamHealth).check();
    if (problems.length > 0) throw new Error(`Unhealthy before the end: ${problems.join('; ')}`);
    if (Date.now() > deadline) throw new Error(`Not committed to the end within 120 s: ${behind.join('; ')}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const tally = <T>(items: T[], by: (item: T) => string) =>
  Object.fromEntries(
    [
      ...items.reduce(
        (counts, item) => counts.set(by(item), (counts.get(by(item)) ?? 0) + 1),
        new Map<string, number>(),
      ),
    ].sort(),
  );

/** The app, with a logger that keeps its lines (one ERROR per dead letter would flood the output). */
async function startFuzzApp(logger: CapturingLogger): Promise<INestApplication> {
  const nest = await NestFactory.create(FuzzModule, { logger, abortOnError: false });
  nest.connectMicroservice({ strategy: nest.get(StreamStoreServer) }, { inheritAppConfig: true });
  await nest.startAllMicroservices();
  await nest.init();
  return nest;
}

let app: INestApplication | undefined;
const logger = new CapturingLogger();
afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a stateful app fed hostile records on real Kafka', () => {
  it(`handles, skips or dead-letters each exactly once, commits to the end, stays healthy and unpolluted (seed ${SEED})`, async () => {
    console.log(`[fuzz] seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
    const records = fuzzRecords(SEED, RECORDS, topics.length, HUGE_BYTES);
    const byFate = (fate: Fate) => records.filter((record) => record.fate === fate);
    console.log(`[fuzz] ${records.length} records by kind: ${JSON.stringify(tally(records, (r) => r.kind))}`);
    console.log(`[fuzz] by codec: ${JSON.stringify(tally(records, (r) => r.codec))}`);

    await Promise.all(topics.map((topic) => createTopic(prefix + topic, 3, LARGE_TOPIC)));
    app = await startFuzzApp(logger);
    const started = Date.now();
    await produceAll(records);
    console.log(`[fuzz] produced in ${Date.now() - started} ms`);

    await untilCommitted(app);
    console.log(`[fuzz] both groups committed to the end ${Date.now() - started} ms after the first send`);

    // The dead letters: exactly the records meant for them, each once, each with its reason.
    const letters: ConsumedMessage[] = [];
    for (const [index, topic] of topics.entries()) {
      const expected = byFate('dead-lettered').filter((record) => record.topic === index).length;
      const dlq = `${prefix}${topic}.dlq`;
      expect(await recordsIn(dlq), `dead letters in ${dlq}`).toBe(expected);
      letters.push(...(await consumeAll(dlq, expected, { timeoutMs: 60_000 })));
    }
    const header = (letter: ConsumedMessage, name: string) => letter.headers[name]?.toString() ?? '';
    const reasons = tally(letters, (letter) => header(letter, DEAD_LETTER_HEADERS.errorClass));
    console.log(`[fuzz] ${letters.length} dead letters by error class: ${JSON.stringify(reasons)}`);
    const unexplained = letters.filter(
      (letter) =>
        header(letter, DEAD_LETTER_HEADERS.handler) !== DTO_HANDLER ||
        header(letter, DEAD_LETTER_HEADERS.errorClass) === '' ||
        header(letter, DEAD_LETTER_HEADERS.errorMessage) === '' ||
        !topics.some((topic) => header(letter, DEAD_LETTER_HEADERS.topic) === prefix + topic) ||
        header(letter, DEAD_LETTER_HEADERS.partition) === '' ||
        header(letter, DEAD_LETTER_HEADERS.offset) === '',
    );
    expect(
      unexplained.map((letter) => letter.headers),
      'dead letters without samsa.dlq.* headers',
    ).toEqual([]);
    // KafkaJS reads a `__proto__` header as [Object.prototype, value]; samsa's own copy undoes that.
    const letterHeaders = letters.map((letter) => toRecordHeaders(letter.headers));
    const letterIds = letterHeaders.map(idOf);
    expect(new Set(letterIds).size, 'each record dead-lettered at most once').toBe(letterIds.length);
    const lettered = new Set(letterIds);
    const altered = letters.flatMap((letter, index) => {
      const original = records[letterIds[index]];
      const added = Object.keys(letterHeaders[index])
        .filter((name) => name.startsWith('samsa.dlq.'))
        .reduce(
          (sum, name) => sum + name.length + Buffer.byteLength(text(letterHeaders[index][name]) ?? ''),
          0,
        );
      const problems = [
        sha1(letter.value) === sha1(original.value) ? '' : 'value',
        headerDigest(letterHeaders[index]) === headerDigest(original.headers) ? '' : 'headers',
        added <= 4096 ? '' : `${added} bytes of samsa.dlq.* headers`,
      ].filter(Boolean);
      return problems.length > 0 ? [`record ${original.id} (${original.kind}): ${problems.join(', ')}`] : [];
    });
    expect(altered.slice(0, 20), 'dead letters keep the record as it was, adding at most 4 KiB').toEqual([]);

    // The DTO handler: handled + skipped (tombstones) + dead-lettered == produced, record by record.
    const observed = app.get(Observed);
    const metric = await app
      .get(StreamMetrics)
      .registry.getSingleMetric('samsa_consumed_messages_total')
      ?.get();
    const skipped = (metric?.values ?? [])
      .filter((value) => value.labels.handler === DTO_HANDLER && value.labels.result === 'skipped')
      .reduce((sum, value) => sum + value.value, 0);
    const handled = [...observed.handled.values()].reduce((sum, n) => sum + n, 0);
    console.log(
      `[fuzz] DTO handler: handled ${handled} + skipped ${skipped} + dead-lettered ${letters.length} = ` +
        `${handled + skipped + letters.length} of ${records.length} produced`,
    );
    const wrongFate = records.filter((record) => {
      const fate: Fate = observed.handled.has(record.id)
        ? 'handled'
        : lettered.has(record.id)
          ? 'dead-lettered'
          : 'skipped';
      return fate !== record.fate;
    });
    expect(
      wrongFate.slice(0, 20).map(({ id, kind, fate, value }) => ({
        id,
        kind,
        expected: fate,
        value: value?.subarray(0, 120).toString(),
      })),
      'records whose fate differs from what they are',
    ).toEqual([]);
    expect(handled + skipped + letters.length).toBe(records.length);
    expect(handled).toBe(byFate('handled').length);
    expect(skipped).toBe(byFate('skipped').length);
    expect(
      [...observed.handled.values()].filter((n) => n !== 1),
      'records handled twice',
    ).toEqual([]);
    expect(observed.anomalies.slice(0, 20)).toEqual([]);

    // The record handler: every record once, exactly as produced.
    const seenTwice = [...observed.seen].filter(([, n]) => n !== 1);
    const asProduced = (record: FuzzRecord) => `${sha1(record.value)} ${headerDigest(record.headers)}`;
    const notAsProduced = records.filter(
      (record) => observed.seenValues.get(record.id) !== asProduced(record),
    );
    console.log(
      `[fuzz] record handler: ${observed.seen.size} distinct records of ${records.length}, ` +
        `${seenTwice.length} seen more than once, ${notAsProduced.length} not as produced`,
    );
    expect(observed.seen.size).toBe(records.length);
    expect(seenTwice).toEqual([]);
    expect(
      notAsProduced.slice(0, 20).map((record) => ({
        id: record.id,
        kind: record.kind,
        got: observed.seenValues.get(record.id)?.slice(0, 300),
        want: asProduced(record).slice(0, 300),
      })),
      'records the record handler saw otherwise than produced (value digest, headers)',
    ).toEqual([]);

    // The state: one count per valid record of each key.
    const expected = new Map<string, number>();
    for (const record of byFate('handled'))
      expected.set(String(record.key), (expected.get(String(record.key)) ?? 0) + 1);
    const counts = await sqliteTables(database).counts();
    console.log(`[fuzz] counts per key: ${JSON.stringify(Object.fromEntries([...counts].sort()))}`);
    expect(new Map([...counts].sort()), 'state store counts').toEqual(new Map([...expected].sort()));

    // Logs: one ERROR per dead letter and nothing else at ERROR; no stack overflow anywhere.
    const errors = logger.lines.filter((line) => line.level === 'error' || line.level === 'fatal');
    const otherErrors = errors.filter((line) => !line.message.startsWith('Dead-lettered '));
    const warnings = logger.lines.filter((line) => line.level === 'warn');
    console.log(`[fuzz] log: ${errors.length} ERROR, ${warnings.length} WARN lines`);
    expect(otherErrors.slice(0, 10), 'ERROR lines other than dead letters').toEqual([]);
    expect(errors.length).toBe(letters.length);
    expect(logger.lines.filter((line) => /Maximum call stack/.test(line.message)).slice(0, 10)).toEqual([]);

    const health = await app.get(StreamHealth).check();
    console.log(
      `[fuzz] health ${health.status}: ${JSON.stringify([...health.problems, ...health.degraded])}`,
    );
    expect({ status: health.status, problems: health.problems, degraded: health.degraded }).toEqual({
      status: 'healthy',
      problems: [],
      degraded: [],
    });
    expect(Reflect.ownKeys(Object.prototype)).toEqual(prototypeKeys);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
  }, 240_000);
});
