import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Module, type INestApplication } from '@nestjs/common';
import { Ctx } from '@nestjs/microservices';
import { encodeEnvelope } from '@samsa/schema';
import {
  Changelogs,
  InjectStore,
  StreamContext,
  StreamHandler,
  StreamStoreModule,
  getStateStoreToken,
  type StateStore,
} from '@samsa/stream-store';
import { afterEach, describe, expect, it } from 'vitest';
import { createTopic, kafkaBrokers, produce, uniqueName, waitFor } from '../support/kafka.js';
import { readTopic } from './fixtures/read-topic.js';
import { startStreamApp } from '../support/stream-app.js';

let app: INestApplication | undefined;
afterEach(async () => app?.close());

describe('per-key TTL with a changelog', () => {
  it('hides expired keys at once, deletes them, and tombstones them in the changelog', async () => {
    const prefix = `${uniqueName('ttl')}.`;
    @Controller()
    class SessionController {
      constructor(@InjectStore('sessions') private readonly sessions: StateStore<string>) {}
      @StreamHandler('logins')
      async onLogin(@Ctx() ctx: StreamContext) {
        await this.sessions.set(ctx.key ?? '', `seen@${ctx.offset}`);
      }
    }
    @Module({
      imports: [
        StreamStoreModule.forRoot({
          brokers: kafkaBrokers(),
          topicPrefix: prefix,
          appId: 'ttl-app',
          store: {
            type: 'sqlite',
            database: join(mkdtempSync(join(tmpdir(), 'samsa-ttl-')), 'state.sqlite'),
          },
        }),
        StreamStoreModule.forFeature([{ name: 'sessions', ttl: 1500 }]),
      ],
      controllers: [SessionController],
    })
    class TtlModule {}

    await createTopic(`${prefix}logins`, 2);
    const keys = ['alice', 'bob', 'carol'];
    app = await startStreamApp(TtlModule);
    const sessions = app.get<StateStore<string>>(getStateStoreToken('sessions'));
    await produce(
      `${prefix}logins`,
      keys.map((key) => ({ key, value: encodeEnvelope('Login:1', {}) })),
    );
    await waitFor(async () => (await sessions.count()) === keys.length, {
      timeoutMs: 30_000,
      message: 'sessions stored',
    });
    const changelog = app.get(Changelogs).topicOf('sessions');
    expect(changelog).toBe(`${prefix}ttl-app-sessions-changelog`);

    // The keys were written in different batches: wait until the last one expired too.
    await waitFor(async () => (await sessions.count()) === 0, { timeoutMs: 10_000, message: 'all expired' });
    expect(await sessions.get('alice')).toBeUndefined();
    const scanned = [];
    for await (const entry of sessions.entries()) scanned.push(entry);
    expect(scanned).toEqual([]);

    // Three writes, then three tombstones written by the sweeper.
    // Position records (keys starting with NUL) travel in the changelog too: only store keys count here.
    let records: Awaited<ReturnType<typeof readTopic>> = [];
    await waitFor(
      async () => {
        records = (await readTopic(changelog)).filter((record) => record.key?.[0] !== 0);
        return records.length >= keys.length * 2;
      },
      { timeoutMs: 30_000, message: 'writes and tombstones in the changelog' },
    );
    const tombstones = records
      .filter((record) => record.value === null)
      .map((record) => record.key?.toString());
    expect(tombstones.sort()).toEqual([...keys].sort());
    const writes = records.filter((record) => record.value !== null);
    expect(writes.map((record) => record.key?.toString()).sort()).toEqual([...keys].sort());
  });
});
