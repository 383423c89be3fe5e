import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeEnvelope } from '@samsa/schema';
import { describe, expect, it } from 'vitest';
import {
  consumeAll,
  createKafka,
  createTopic,
  kafkaBrokers,
  produce,
  uniqueName,
  waitFor,
} from '../support/kafka.js';
import { spawnWorker, type Worker } from '../support/spawn-worker.js';

describe('handler sinks with a state store (outbox)', () => {
  it('after SIGKILLs and restarts, every committed count is output, and only committed counts', async () => {
    const prefix = `${uniqueName('sink')}.`;
    const group = uniqueName('sink-group');
    const db = join(mkdtempSync(join(tmpdir(), 'samsa-sink-')), 'state.sqlite');
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    const perKey = 100;
    await createTopic(`${prefix}events`, 3);
    const messages = [];
    for (let i = 0; i < perKey; i++)
      for (const key of keys) messages.push({ key, value: encodeEnvelope('Event:1', { i }) });
    await produce(`${prefix}events`, messages);

    const env = {
      KAFKA_BROKERS: kafkaBrokers().join(','),
      TOPIC_PREFIX: prefix,
      GROUP: group,
      DB: db,
      DELAY_MS: '2',
    };
    const admin = createKafka().admin();
    await admin.connect();
    const committed = async () => {
      const [{ partitions }] = await admin.fetchOffsets({ groupId: group, topics: [`${prefix}events`] });
      return partitions.reduce((sum, { offset }) => sum + Math.max(0, Number(offset)), 0);
    };
    let worker: Worker | undefined;
    for (let kill = 0; kill < 4; kill++) {
      worker = spawnWorker('test/e2e/fixtures/sink-worker.ts', env);
      await waitFor(() => worker?.output().includes('worker started'), {
        timeoutMs: 60_000,
        message: 'worker start',
      });
      await sleep(300 + Math.random() * 900);
      worker.process.kill('SIGKILL');
      await worker.exited;
    }
    worker = spawnWorker('test/e2e/fixtures/sink-worker.ts', env);
    await waitFor(async () => (await committed()) >= messages.length, {
      timeoutMs: 90_000,
      message: 'all committed',
    });
    worker.process.kill('SIGTERM');
    const exitCode = await worker.exited;
    expect(exitCode, worker.output()).toBe(0);

    const outputs = await consumeAll(`${prefix}counted`, messages.length, { timeoutMs: 30_000 });
    const extra = await consumeAll(`${prefix}counted`, messages.length, { timeoutMs: 30_000 }).then(
      (all) => all.length,
    );
    expect(extra).toBe(messages.length);
    const offsets = await admin.fetchTopicOffsets(`${prefix}counted`);
    await admin.disconnect();
    const total = offsets.reduce((sum, { high }) => sum + Number(high), 0);
    const all =
      total > messages.length ? await consumeAll(`${prefix}counted`, total, { timeoutMs: 30_000 }) : outputs;
    const seen = new Map<string, Set<number>>();
    for (const record of all) {
      const { data } = JSON.parse(record.value?.toString() ?? '{}') as {
        data: { key: string; count: number };
      };
      expect(record.key?.toString()).toBe(data.key);
      seen.set(data.key, (seen.get(data.key) ?? new Set()).add(data.count));
    }
    // Exactly-once state: each key's counts are 1..perKey, none missing and none other.
    for (const key of keys) {
      expect([...(seen.get(key) ?? [])].sort((a, b) => a - b)).toEqual(
        Array.from({ length: perKey }, (_, i) => i + 1),
      );
    }
    // Duplicates are repeats of committed outputs only (a crash between produce and outbox delete).
    expect(all.length).toBeGreaterThanOrEqual(messages.length);
  });
});
