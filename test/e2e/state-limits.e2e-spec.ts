import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Module, type INestApplication } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { encodeEnvelope } from '@samsa/schema';
import {
  InjectStore,
  StreamContext,
  StreamHandler,
  StreamStoreModule,
  getStateStoreToken,
  type StateStore,
} from '@samsa/stream-store';
import { afterEach, describe, expect, it } from 'vitest';
import { consumeAll, createTopic, kafkaBrokers, produce, uniqueName, waitFor } from '../support/kafka.js';
import { startStreamApp } from '../support/stream-app.js';
import { readTopic } from './fixtures/read-topic.js';

const MB = 1024 * 1024;

let app: INestApplication | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('state values within the changelog’s record limit', () => {
  it('a value over the limit fails its record (dead-lettered), the partition flows on, other state is exact', async () => {
    const prefix = `${uniqueName('limits')}.`;
    const appId = uniqueName('app');
    // One changelog allows 4 MiB records: its limits are read from the topic (a batch must also
    // fit in a log segment, and the dev broker's are small).
    await createTopic(`${prefix}${appId}-wide-changelog`, 1, {
      'cleanup.policy': 'compact',
      'max.message.bytes': String(4 * MB),
      'segment.bytes': String(8 * MB),
    });
    await createTopic(`${prefix}items`, 1);
    await createTopic(`${prefix}items.dlq`, 1);

    @Controller()
    class ItemController {
      constructor(
        @InjectStore('counts') private readonly counts: StateStore<number>,
        @InjectStore('blobs') private readonly blobs: StateStore<string>,
        @InjectStore('wide') private readonly wide: StateStore<string>,
      ) {}
      @StreamHandler('items')
      async onItem(@Payload() item: { bytes: number; wide?: boolean }, @Ctx() ctx: StreamContext) {
        const key = ctx.key ?? '';
        await this.counts.update(key, (n) => (n ?? 0) + 1);
        await (item.wide ? this.wide : this.blobs).set(key, 'x'.repeat(item.bytes));
      }
    }
    @Module({
      imports: [
        StreamStoreModule.forRoot({
          brokers: kafkaBrokers(),
          topicPrefix: prefix,
          appId,
          store: {
            type: 'sqlite',
            database: join(mkdtempSync(join(tmpdir(), 'samsa-limits-')), 'state.sqlite'),
          },
          retry: { attempts: 2, initialDelayMs: 50 },
        }),
        StreamStoreModule.forFeature(['counts', 'blobs', 'wide']),
      ],
      controllers: [ItemController],
    })
    class LimitsModule {}

    app = await startStreamApp(LimitsModule);
    const item = (key: string, bytes: number, wide = false) => ({
      key,
      value: encodeEnvelope('Item:1', { bytes, wide }),
    });
    await produce(`${prefix}items`, [
      item('a', 10),
      item('b', 10),
      item('big', 2 * MB),
      item('c', 10),
      item('wide', 2 * MB, true),
      item('a', 20),
      item('b', 20),
    ]);

    const [dead] = await consumeAll(`${prefix}items.dlq`, 1, { timeoutMs: 60_000 });
    expect(dead.key?.toString()).toBe('big');
    expect(dead.headers['samsa.dlq.error-class']?.toString()).toBe('StateValueTooLargeError');
    expect(dead.headers['samsa.dlq.error-message']?.toString()).toContain('max.message.bytes');

    const counts = app.get<StateStore<number>>(getStateStoreToken('counts'));
    await waitFor(async () => (await counts.get('b')) === 2, {
      timeoutMs: 30_000,
      message: 'records after it handled',
    });
    expect(Object.fromEntries(await counts.getMany(['a', 'b', 'c', 'big', 'wide']))).toEqual({
      a: 2,
      b: 2,
      c: 1,
      wide: 1,
    });
    const blobs = app.get<StateStore<string>>(getStateStoreToken('blobs'));
    expect((await blobs.get('a'))?.length).toBe(20);
    expect(await blobs.has('big')).toBe(false);
    // Under the wide changelog's own limit, 2 MiB is fine: stored and in its changelog.
    expect((await app.get<StateStore<string>>(getStateStoreToken('wide')).get('wide'))?.length).toBe(2 * MB);
    const wideLog = await readTopic(`${prefix}${appId}-wide-changelog`);
    expect(
      wideLog.some((record) => record.key?.toString() === 'wide' && record.value?.length === 2 * MB + 2),
    ).toBe(true);
    const blobLog = await readTopic(`${prefix}${appId}-blobs-changelog`);
    expect(blobLog.some((record) => record.key?.toString() === 'big')).toBe(false);
  });
});
