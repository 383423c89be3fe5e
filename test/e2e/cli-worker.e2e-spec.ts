import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeEnvelope } from '@samsa/schema';
import { describe, expect, it } from 'vitest';
import { createKafka, createTopic, kafkaBrokers, produce, uniqueName, waitFor } from '../support/kafka.js';
import { spawnWorker } from '../support/spawn-worker.js';

const CLI = 'libs/stream-store/src/cli/main.ts';
const MODULE = 'test/e2e/fixtures/cli-worker.module.ts';
const lines = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];

describe('samsa worker', () => {
  it('runs a module with the flags given, and on SIGINT drains, commits and exits 0', async () => {
    const prefix = `${uniqueName('cli')}.`;
    const group = uniqueName('cli-group');
    const out = join(mkdtempSync(join(tmpdir(), 'samsa-cli-')), 'handled.txt');
    await createTopic(`${prefix}jobs.a`, 2);
    await produce(
      `${prefix}jobs.a`,
      Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: encodeEnvelope('Job:1', { i }) })),
    );
    const worker = spawnWorker(CLI, { GROUP: group, OUT: out }, [
      'worker',
      `${MODULE}#CliWorkerModule`,
      '--kafka-servers',
      kafkaBrokers().join(','),
      '--topic-prefix',
      prefix,
      '--kafka-settings',
      '{"connectionTimeout": 5000}',
    ]);
    await waitFor(() => lines(out).length >= 30, {
      timeoutMs: 60_000,
      message: `30 handled: ${worker.output()}`,
    });
    worker.process.kill('SIGINT');
    expect(await worker.exited).toBe(0);

    const admin = createKafka().admin();
    await admin.connect();
    const [{ partitions }] = await admin.fetchOffsets({ groupId: group, topics: [`${prefix}jobs.a`] });
    const ends = await admin.fetchTopicOffsets(`${prefix}jobs.a`);
    await admin.disconnect();
    for (const { partition, offset } of partitions) {
      expect(offset).toBe(ends.find((end) => end.partition === partition)?.high);
    }
  });

  it.each([
    [['worker', MODULE, '--kafka-settings', 'not json'], /--kafka-settings is not valid JSON/],
    [['worker', 'test/e2e/fixtures/missing.module.ts'], /Module file not found/],
    [['worker', `${MODULE}#Nope`], /no exported Nest module named Nope/],
    [['worker', MODULE, '--no-such-flag'], /unknown option/],
    [['worker'], /missing required argument/],
  ])('exits 2 with a clear message for %j', async (args, message) => {
    const worker = spawnWorker(CLI, {}, args);
    expect(await worker.exited).toBe(2);
    expect(worker.output()).toMatch(message);
  });
});
