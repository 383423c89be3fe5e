import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { StreamStoreServer } from '@samsa/stream-store';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppModule } from './app.module.js';
import { EXPECTED, keepPublishing, publishScenario, scenarioDone } from './scenario.js';

// `--once`: a bounded scenario on fresh topics and a fresh SQLite file, checked, then exit 0.
const once = process.argv.includes('--once');
const logger = new Logger('Demo');

const app = await NestFactory.create(
  AppModule.register({
    brokers: process.env.KAFKA_BROKERS ?? 'localhost:9092',
    topicPrefix: once ? `demo-${Date.now().toString(36)}.` : (process.env.DEMO_TOPIC_PREFIX ?? 'demo.'),
    database: once
      ? join(mkdtempSync(join(tmpdir(), 'samsa-demo-')), 'state.sqlite')
      : (process.env.DEMO_DB ?? 'demo-state.sqlite'),
  }),
  { logger: ['log', 'warn', 'error'] },
);
// A hybrid app: HTTP and samsa's stream transport in one process.
app.connectMicroservice({ strategy: app.get(StreamStoreServer) }, { inheritAppConfig: true });
await app.startAllMicroservices();
await app.listen(Number(process.env.PORT ?? (once ? 0 : 3000)));
const url = (await app.getUrl()).replace('[::1]', 'localhost');
logger.log(`HTTP on ${url}: try ${url}/deployments, ${url}/words/his, ${url}/health, ${url}/metrics`);

await publishScenario(app);
if (once) {
  await scenarioDone(app);
  await check(url);
  await app.close();
  logger.log('Scenario complete: every check passed');
  process.exit(0);
}
const publishing = keepPublishing(app);
logger.log('Running until Ctrl-C');
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    publishing
      .stop()
      .then(() => app.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error(
            `Shutdown failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
          );
          process.exit(1);
        },
      );
  });
}

/** What `--once` proves over HTTP: store reads, health and metrics. */
async function check(base: string): Promise<void> {
  const get = async (path: string) => {
    const response = await fetch(base + path);
    if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
    return response;
  };
  const statuses = (await (await get('/deployments')).json()) as Record<string, string>;
  assert(
    JSON.stringify(statuses) === JSON.stringify(EXPECTED.finalStatus),
    `/deployments is ${JSON.stringify(statuses)}`,
  );
  const his = (await (await get('/words/his')).json()) as { count: number };
  assert(his.count === EXPECTED.his, `/words/his counted ${his.count}, expected ${EXPECTED.his}`);
  const health = (await (await get('/health')).json()) as { status: string };
  assert(health.status === 'ok', `/health is ${JSON.stringify(health)}`);
  const metrics = await (await get('/metrics')).text();
  const consumed = metrics
    .split('\n')
    .filter((line) => line.startsWith('samsa_consumed_messages_total{') && line.includes('result="ok"'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  const handled = EXPECTED.content + EXPECTED.statuses + EXPECTED.changes + EXPECTED.words;
  assert(consumed === handled, `/metrics counts ${consumed} handled messages, expected ${handled}`);
  // The words came from TextSource, a @StreamSource: every one it read went to the topic.
  const sourced = metrics
    .split('\n')
    .filter((line) => line.startsWith('samsa_source_items_total{source="TextSource.words"'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  assert(sourced === EXPECTED.words, `/metrics counts ${sourced} sourced words, expected ${EXPECTED.words}`);
  logger.log(
    `Checked: /deployments ${JSON.stringify(statuses)}, /words/his ${his.count}, /health ok, ` +
      `/metrics ${consumed} handled, ${sourced} words from the source`,
  );
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`Demo check failed: ${message}`);
}
