import {
  Module,
  type INestApplication,
  type LoggerService,
  type LogLevel,
  type ModuleMetadata,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { encodeEnvelope, getSchemaMetadata } from '@samsa/schema';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEAD_LETTER_SUFFIX } from '../constants.js';
import type { StreamStoreModuleOptions } from '../interfaces/stream-store-options.interface.js';
import type { KafkaRecord, RecordHeaders } from '../kafka/kafka-client.interface.js';
import type { StoreFeature } from '../store/store-feature.interface.js';
import { StreamStoreModule } from '../stream-store.module.js';
import { StreamStoreServer } from '../transport/stream-store.server.js';
import { InMemoryKafka } from './in-memory-kafka.js';

export interface StreamTestAppOptions extends Pick<ModuleMetadata, 'controllers' | 'providers' | 'imports'> {
  /** State stores to declare, as for `forFeature`. They live in an in-memory SQLite database. */
  stores?: Array<string | StoreFeature>;
  /** Any other `forRoot` option. */
  options?: Partial<StreamStoreModuleOptions>;
  /**
   * Nest's logger for the app, as for `NestFactory.create`: levels to print, a logger, or `false`
   * for none. Default `['error']`, so a passing test prints nothing.
   */
  logger?: LoggerService | LogLevel[] | false;
}

export interface SendOptions {
  key?: string | ((message: unknown, index: number) => string | undefined);
  headers?: RecordHeaders;
}

/** A Nest app whose `@StreamHandler`s consume in-process topics: for fast unit tests of user code. */
export interface StreamTestApp {
  app: INestApplication;
  kafka: InMemoryKafka;
  /**
   * Appends messages to a topic, like snapstream's iterable sources: `@Schema` instances are
   * wrapped in their envelope, Buffers and strings are sent as they are.
   */
  send(
    topic: string,
    messages: Iterable<unknown> | AsyncIterable<unknown>,
    options?: SendOptions,
  ): Promise<void>;
  /** Resolves once every handler has handled or dead-lettered everything sent so far. */
  idle(timeoutMs?: number): Promise<void>;
  records(topic: string): KafkaRecord[];
  /** Records dead-lettered from `topic` (its `<topic>.dlq`). */
  deadLetters(topic: string): KafkaRecord[];
  close(): Promise<void>;
}

export async function createStreamTestApp(options: StreamTestAppOptions = {}): Promise<StreamTestApp> {
  const kafka = new InMemoryKafka();
  @Module({
    imports: [
      StreamStoreModule.forRoot({
        brokers: 'in-memory:0',
        client: kafka,
        store: { type: 'sqlite', database: ':memory:' },
        subscriptionRefreshMs: 20,
        retry: { attempts: 3, initialDelayMs: 1, maxDelayMs: 5 },
        ...options.options,
      }),
      ...(options.stores ? [StreamStoreModule.forFeature(options.stores)] : []),
      ...(options.imports ?? []),
    ],
    controllers: options.controllers,
    providers: options.providers,
  })
  class StreamTestModule {}

  const app = await NestFactory.create(StreamTestModule, { logger: options.logger ?? ['error'] });
  return startStreamTestApp(app, kafka, { topicPrefix: options.options?.topicPrefix });
}

/**
 * Starts an app you built yourself (e.g. `Test.createTestingModule(...).overrideProvider(...)`,
 * whose `StreamStoreModule.forRoot` has `client: kafka`) and wraps it like `createStreamTestApp`:
 * connects samsa's transport, starts it, inits the app.
 */
export async function startStreamTestApp(
  app: INestApplication,
  kafka: InMemoryKafka,
  options: { topicPrefix?: string } = {},
): Promise<StreamTestApp> {
  const server = app.get(StreamStoreServer);
  app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.init();
  const prefix = options.topicPrefix ?? '';

  return {
    app,
    kafka,
    async send(topic, messages, sendOptions = {}) {
      let index = 0;
      for await (const message of messages) {
        const key = typeof sendOptions.key === 'function' ? sendOptions.key(message, index) : sendOptions.key;
        kafka.log.append(prefix + topic, { key, value: toValue(message), headers: sendOptions.headers });
        index++;
      }
    },
    async idle(timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      await server.refreshSubscriptions();
      while (!caughtUp(kafka, server)) {
        if (Date.now() > deadline) throw new Error(`Handlers did not catch up within ${timeoutMs} ms`);
        await sleep(5);
      }
    },
    records: (topic) => kafka.records(prefix + topic),
    deadLetters: (topic) => kafka.records(prefix + topic + DEAD_LETTER_SUFFIX),
    close: () => app.close(),
  };
}

function toValue(message: unknown): Buffer | string | null {
  if (message === null || typeof message === 'string' || Buffer.isBuffer(message)) return message;
  const schema = typeof message === 'object' ? getSchemaMetadata(message.constructor) : undefined;
  if (!schema) throw new TypeError('send() takes @Schema instances, Buffers or strings');
  return encodeEnvelope(schema, message);
}

function caughtUp(kafka: InMemoryKafka, server: StreamStoreServer): boolean {
  const { log } = kafka;
  return server.handlerStatus().every((handler) => {
    const subscribed = [...log.topics.keys()].filter((topic) => handler.topics.includes(topic));
    return subscribed.every((topic) =>
      (log.topics.get(topic) ?? []).every((records, partition) => {
        if (handler.halted[`${topic}:${partition}`]) return true;
        const committed = log.committed.get(log.commitKey(handler.group, topic, partition)) ?? '0';
        return Number(committed) >= records.length;
      }),
    );
  });
}
