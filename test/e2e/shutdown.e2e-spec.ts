import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeEnvelope } from '@samsa/schema';
import { describe, expect, it } from 'vitest';
import { createKafka, createTopic, kafkaBrokers, produce, uniqueName, waitFor } from '../support/kafka.js';
import { spawnWorker } from '../support/spawn-worker.js';

const handledLines = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];

describe('graceful shutdown of a worker process', () => {
  it('on SIGTERM finishes in-flight work, commits exactly what was handled, and exits 0', async () => {
    const prefix = `${uniqueName('shutdown')}.`;
    const group = uniqueName('slow');
    const out = join(mkdtempSync(join(tmpdir(), 'samsa-shutdown-')), 'handled.txt');
    await createTopic(`${prefix}work`, 1);
    await produce(
      `${prefix}work`,
      Array.from({ length: 200 }, (_, i) => ({ value: encodeEnvelope('Work:1', { i }) })),
    );
    const worker = spawnWorker('test/e2e/fixtures/slow-worker.ts', {
      KAFKA_BROKERS: kafkaBrokers().join(','),
      TOPIC_PREFIX: prefix,
      GROUP: group,
      OUT: out,
      DELAY_MS: '40',
    });
    await waitFor(() => handledLines(out).length >= 20, {
      timeoutMs: 60_000,
      message: `handling started: ${worker.output()}`,
    });

    worker.process.kill('SIGTERM');
    expect(await worker.exited).toBe(0);

    const handled = handledLines(out);
    expect(handled.length).toBeGreaterThan(20);
    expect(handled.length).toBeLessThan(200);
    expect(handled).toEqual(Array.from({ length: handled.length }, (_, i) => `0:${i}`));
    const admin = createKafka().admin();
    await admin.connect();
    const [{ partitions }] = await admin.fetchOffsets({ groupId: group, topics: [`${prefix}work`] });
    await admin.disconnect();
    expect(partitions[0].offset).toBe(String(handled.length));
  });
});
