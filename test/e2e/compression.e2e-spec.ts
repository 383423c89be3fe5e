import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Controller, Injectable, Module, type INestApplication } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { StreamContext, StreamHandler, StreamStoreModule } from '@samsa/stream-store';
import kafkajs from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProducerCompression } from '../../libs/stream-store/src/kafka/kafka-client.interface.js';
import { KafkajsClient } from '../../libs/stream-store/src/kafka/kafkajs/kafkajs-client.js';
import { resolveKafkaLibs } from '../../scripts/kafka/broker.mjs';
import { createKafka, createTopic, kafkaBrokers, uniqueName, waitFor } from '../support/kafka.js';
import { startStreamApp } from '../support/stream-app.js';
import { ContentMessage } from './fixtures/content.message.js';

const { CompressionCodecs, CompressionTypes } = kafkajs;

/** The system Python, which has confluent-kafka (librdkafka); not a pyenv one. */
const PYTHON = '/usr/bin/python3';
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const hasConfluentKafka = spawnSync(PYTHON, ['-c', 'import confluent_kafka']).status === 0;
// Without the tool a developer's run skips with this reason; under CI the tests run, and fail.
const skipReason =
  hasConfluentKafka || process.env.CI ? undefined : `${PYTHON} has no confluent_kafka module`;

const LIBRDKAFKA_CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
const JAVA_CODECS = ['gzip', 'snappy', 'lz4', 'zstd'] as const;
const PER_TOPIC = 30;

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 90_000 });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

@Injectable()
class Seen {
  readonly byTopic = new Map<string, Set<number>>();
  add(topic: string, seq: number) {
    this.byTopic.set(topic, (this.byTopic.get(topic) ?? new Set()).add(seq));
  }
  get total() {
    return [...this.byTopic.values()].reduce((sum, seqs) => sum + seqs.size, 0);
  }
}

const apps: INestApplication[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

describe.skipIf(skipReason !== undefined)(
  `compressed record batches${skipReason ? ` (${skipReason})` : ''}`,
  () => {
    it('are consumed whatever codec librdkafka or the Java producer wrote them with: every record handled, none dead-lettered', async () => {
      const prefix = `${uniqueName('codecs')}.`;
      const topics = [
        ...LIBRDKAFKA_CODECS.map((codec) => `mix.${codec}`),
        ...JAVA_CODECS.map((codec) => `mix.java-${codec}`),
      ];
      await Promise.all(topics.map((topic) => createTopic(`${prefix}${topic}`, 1)));
      const brokers = kafkaBrokers().join(',');
      run(PYTHON, [
        fixture('compressed_producer.py'),
        brokers,
        `${prefix}mix.`,
        String(PER_TOPIC),
        ...LIBRDKAFKA_CODECS,
      ]);
      const libs = await resolveKafkaLibs();
      run('java', [
        '-cp',
        `${libs}/*`,
        fixture('CompressedProducer.java'),
        brokers,
        `${prefix}mix.`,
        String(PER_TOPIC),
        ...JAVA_CODECS,
      ]);

      @Controller()
      class MixController {
        constructor(private readonly seen: Seen) {}
        @StreamHandler('mix.*')
        on(@Payload() message: ContentMessage, @Ctx() ctx: StreamContext) {
          this.seen.add(ctx.topic.slice(prefix.length), message.seq ?? -1);
        }
      }
      @Module({
        imports: [
          StreamStoreModule.forRoot({
            brokers: kafkaBrokers(),
            clientId: uniqueName('codecs'),
            topicPrefix: prefix,
          }),
        ],
        controllers: [MixController],
        providers: [Seen],
      })
      class MixModule {}
      const app = await startStreamApp(MixModule);
      apps.push(app);
      const seen = app.get(Seen);

      await waitFor(() => seen.total >= topics.length * PER_TOPIC, {
        timeoutMs: 60_000,
        message: `${topics.length * PER_TOPIC} records handled (have ${JSON.stringify(Object.fromEntries([...seen.byTopic].map(([t, s]) => [t, s.size])))})`,
      });
      for (const topic of topics) expect(seen.byTopic.get(topic)?.size, topic).toBe(PER_TOPIC);
      const admin = createKafka().admin();
      await admin.connect();
      const dlqs = (await admin.listTopics()).filter(
        (name) => name.startsWith(prefix) && name.endsWith('.dlq'),
      );
      await admin.disconnect();
      expect(dlqs).toEqual([]);
    });

    it.each(['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const)(
      "samsa's producer with compression %s writes batches librdkafka reads back unchanged",
      async (codec: ProducerCompression) => {
        const topic = await createTopic(uniqueName(`samsa-${codec}`), 1);
        const client = new KafkajsClient({ brokers: kafkaBrokers(), clientId: uniqueName('codec-producer') });
        const compressed = countCompressions(codec);
        const producer = client.producer({ idempotent: true, acks: -1, compression: codec });
        const values = Array.from({ length: 40 }, (_, seq) =>
          Buffer.from(
            JSON.stringify({ schema: 'Content:1', data: { foo: codec, seq, pad: 'samsa '.repeat(20) } }),
          ),
        );
        try {
          await producer.connect();
          await producer.send([{ topic, messages: values.map((value) => ({ value })) }]);
          await producer.disconnect();
        } finally {
          compressed.restore();
        }
        expect(compressed.calls, 'batches compressed with the codec').toBeGreaterThan(
          codec === 'none' ? -1 : 0,
        );
        const readBack = run(PYTHON, [
          fixture('compressed_consumer.py'),
          kafkaBrokers().join(','),
          topic,
          String(values.length),
        ]);
        expect(readBack.trim().split('\n')).toEqual(values.map((value) => value.toString('hex')));
      },
    );
  },
);

const CODEC_TYPES: Record<Exclude<ProducerCompression, 'none'>, keyof typeof CompressionCodecs> = {
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

/** Counts the batches KafkaJS compresses with `codec` (wrapping the registered codec) until restored. */
function countCompressions(codec: ProducerCompression): { calls: number; restore(): void } {
  const counter = { calls: 0, restore: () => undefined as void };
  if (codec === 'none') return counter;
  const type = CODEC_TYPES[codec];
  const original = CompressionCodecs[type];
  CompressionCodecs[type] = () => {
    const inner = original() as {
      compress(encoder: unknown): Promise<Buffer>;
      decompress(buffer: Buffer): Promise<Buffer>;
    };
    return {
      compress: (encoder: unknown) => {
        counter.calls++;
        return inner.compress(encoder);
      },
      decompress: (buffer: Buffer) => inner.decompress(buffer),
    };
  };
  counter.restore = () => {
    CompressionCodecs[type] = original;
  };
  return counter;
}
