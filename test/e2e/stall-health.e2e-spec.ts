// Health sees a partition held up by something samsa has no name for: here a handler that never
// settles (no `timeout` configured), so nothing is waiting, halted or failing — yet records wait.
// Before, health stayed green for as long as the hang lasted.
import { Controller, Module, type INestApplication } from '@nestjs/common';
import { Ctx } from '@nestjs/microservices';
import { encodeEnvelope } from '@samsa/schema';
import { StreamContext, StreamHandler, StreamHealth, StreamStoreModule } from '@samsa/stream-store';
import { afterAll, describe, expect, it } from 'vitest';
import { createTopic, kafkaBrokers, produce, uniqueName, waitFor } from '../support/kafka.js';
import { startStreamApp } from '../support/stream-app.js';

const prefix = `${uniqueName('stall')}.`;
const group = uniqueName('stall');
let release: () => void = () => undefined;
const hung = new Promise<void>((resolve) => (release = resolve));
const handled: string[] = [];

@Controller()
class HangingController {
  @StreamHandler('events', { group })
  async handle(@Ctx() ctx: StreamContext): Promise<void> {
    if (ctx.key === 'hang') await hung;
    handled.push(ctx.key ?? '');
  }
}

@Module({
  imports: [StreamStoreModule.forRoot({ brokers: kafkaBrokers(), topicPrefix: prefix })],
  controllers: [HangingController],
})
class HangingModule {}

let app: INestApplication | undefined;
afterAll(async () => {
  release();
  await app?.close();
});

describe('health and a partition held up by anything', () => {
  it('turns degraded when records wait behind a partition that makes no progress, and healthy when it moves', async () => {
    await createTopic(`${prefix}events`, 1);
    app = await startStreamApp(HangingModule);
    const health = app.get(StreamHealth);
    await produce(`${prefix}events`, [
      { key: 'first', value: encodeEnvelope('Event:1', {}) },
      { key: 'hang', value: encodeEnvelope('Event:1', {}) },
      { key: 'after', value: encodeEnvelope('Event:1', {}) },
    ]);
    await waitFor(() => handled.includes('first'), { timeoutMs: 30_000, message: 'first record handled' });
    expect((await health.check()).status).toBe('healthy');

    let report = await health.check();
    await waitFor(
      async () => {
        report = await health.check();
        return report.status === 'degraded';
      },
      { timeoutMs: 45_000, intervalMs: 1_000, message: 'health degraded by the stall' },
    );
    expect(report.healthy).toBe(true);
    expect(report.degraded.join('\n')).toMatch(
      /HangingController\.handle: partition .*events:0 made no progress for \d+ s with \d+ record\(s\) waiting/,
    );

    release();
    await waitFor(() => handled.includes('after'), { timeoutMs: 30_000, message: 'records after the hang' });
    await waitFor(async () => (await health.check()).status === 'healthy', {
      timeoutMs: 30_000,
      message: 'healthy once the partition moves',
    });
    expect(handled).toEqual(['first', 'hang', 'after']);
  }, 120_000);
});
