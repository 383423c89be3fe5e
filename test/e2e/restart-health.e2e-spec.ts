// Issue 13, item 10: a consumer that the Kafka client restarts again and again on the same batch is
// reported unhealthy, with the reason, after a bounded number of restarts - and healthy again once a
// batch completes. The real trigger: the SQLite database refuses the batch's commit (a trigger on
// samsa_offsets, as a schema change or a constraint of another tool would), which is not an
// infrastructure failure and not the record's: the batch fails, KafkaJS restarts the consumer, which
// fetches the same batch again, and so on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx } from '@nestjs/microservices';
import Database from 'better-sqlite3';
import {
  InjectStore,
  StreamContext,
  StreamHandler,
  StreamHealth,
  StreamStoreModule,
  StreamStoreServer,
  type StateStore,
  type StreamHealthReport,
} from '@samsa/stream-store';
import { afterAll, describe, expect, it } from 'vitest';
import { createTopic, kafkaBrokers, produce, uniqueName, waitFor } from '../support/kafka.js';
import { CapturingLogger } from './fixtures/capturing-logger.js';
import { sqliteTables } from './fixtures/counting-worker.support.js';

const prefix = `${uniqueName('restart')}.`;
const group = uniqueName('restart-health');
const dir = mkdtempSync(join(tmpdir(), 'samsa-restart-'));
const database = join(dir, 'state.sqlite');
const REFUSAL = 'samsa_offsets is frozen by the test';

@Controller()
class CountingController {
  constructor(@InjectStore('counts') private readonly counts: StateStore<number>) {}

  @StreamHandler('events', { group })
  async count(@Ctx() ctx: StreamContext): Promise<void> {
    await this.counts.update(ctx.key ?? '-', (n) => (n ?? 0) + 1);
  }
}

@Module({
  imports: [
    StreamStoreModule.forRoot({
      brokers: kafkaBrokers(),
      clientId: uniqueName('restart'),
      topicPrefix: prefix,
      store: { type: 'sqlite', database },
      // KafkaJS retries a failed batch before it restarts the consumer: keep those retries short.
      consumer: {
        sessionTimeout: 6_000,
        heartbeatInterval: 500,
        maxWaitTimeInMs: 200,
        retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 300 },
      },
    }),
    StreamStoreModule.forFeature(['counts']),
  ],
  controllers: [CountingController],
})
class RestartModule {}

/** Makes every write of samsa_offsets fail with a plain SQL error (SQLITE_CONSTRAINT_TRIGGER). */
function freezeOffsets(freeze: boolean): void {
  const db = new Database(database, { fileMustExist: true, timeout: 10_000 });
  try {
    if (freeze)
      db.exec(`
        CREATE TRIGGER frozen_insert BEFORE INSERT ON samsa_offsets BEGIN SELECT RAISE(ABORT, '${REFUSAL}'); END;
        CREATE TRIGGER frozen_update BEFORE UPDATE ON samsa_offsets BEGIN SELECT RAISE(ABORT, '${REFUSAL}'); END;
      `);
    else db.exec('DROP TRIGGER frozen_insert; DROP TRIGGER frozen_update;');
  } finally {
    db.close();
  }
}

let app: INestApplication | undefined;
const logger = new CapturingLogger();
afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

const restartLines = (level: 'warn' | 'error') =>
  logger.of(level, 'StreamHandler CountingController.count').filter((line) => /restart/i.test(line.message));
const summary = (report: StreamHealthReport) =>
  JSON.stringify({ status: report.status, problems: report.problems, degraded: report.degraded });

/** Polls health until it reports `status`; resolves with that report. */
async function untilHealth(
  health: StreamHealth,
  status: StreamHealthReport['status'],
  timeoutMs: number,
): Promise<StreamHealthReport> {
  let last = await health.check();
  await waitFor(
    async () => {
      last = await health.check();
      return last.status === status;
    },
    { timeoutMs, intervalMs: 200, message: `health ${status}` },
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}; last report: ${summary(last)}`);
  });
  return last;
}

describe('a consumer the client restarts again and again', () => {
  it('is reported unhealthy with the reason after 3 restarts without a completed batch, and healthy once one completes', async () => {
    const topic = await createTopic(`${prefix}events`, 1);
    app = await NestFactory.create(RestartModule, { logger, abortOnError: false });
    app.connectMicroservice({ strategy: app.get(StreamStoreServer) }, { inheritAppConfig: true });
    await app.startAllMicroservices();
    await app.init();
    const health = app.get(StreamHealth);
    const tables = sqliteTables(database);

    // A first record goes through: the tables exist, the handler is healthy.
    await produce(topic, [{ key: 'a', value: 'first' }]);
    await waitFor(async () => (await tables.offsets(group, topic)).get(0) === 1n, {
      timeoutMs: 30_000,
      message: 'the first record committed',
    });
    expect((await health.check()).status).toBe('healthy');

    // The database now refuses every commit: the next batch fails each time it is fetched.
    freezeOffsets(true);
    await produce(topic, [{ key: 'a', value: 'second' }]);
    const stuck = await untilHealth(health, 'unhealthy', 60_000);
    console.log(
      `[restart-health] after ${restartLines('warn').length} WARN restart line(s): ${summary(stuck)}`,
    );
    const [handler] = app.get(StreamStoreServer).handlerStatus();
    expect(handler.state).toBe('restarting');
    expect(stuck.problems).toHaveLength(1);
    expect(stuck.problems[0]).toMatch(/^CountingController\.count: consumer keeps restarting \(.+\)$/);
    expect(stuck.problems[0]).toContain(REFUSAL);
    expect(stuck.healthy).toBe(false);
    // Reported as the restarts go: a WARN for each of the first two, one ERROR when it turns unhealthy.
    expect(restartLines('warn').length).toBeGreaterThanOrEqual(2);
    expect(restartLines('error')).toHaveLength(1);
    expect(restartLines('error')[0].message).toMatch(
      /^Consumer restarted \d+ times without finishing a batch: /,
    );
    // The record was not lost or counted: the offset stays where the last commit left it.
    expect((await tables.offsets(group, topic)).get(0)).toBe(1n);
    expect((await tables.counts()).get('a')).toBe(1);

    // More restarts do not log more ERRORs; health stays unhealthy until a batch completes.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(restartLines('error')).toHaveLength(1);
    expect((await health.check()).status).toBe('unhealthy');

    // The database accepts commits again: the same batch completes, and health recovers.
    freezeOffsets(false);
    await waitFor(async () => (await tables.offsets(group, topic)).get(0) === 2n, {
      timeoutMs: 30_000,
      message: 'the second record committed after the database recovered',
    });
    const recovered = await untilHealth(health, 'healthy', 15_000);
    console.log(`[restart-health] recovered: ${summary(recovered)}`);
    expect(app.get(StreamStoreServer).handlerStatus()[0].state).toBe('running');
    expect((await tables.counts()).get('a')).toBe(2);
  });
});
