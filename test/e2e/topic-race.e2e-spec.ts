import { Module, type INestApplicationContext, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { StreamPublisher, StreamStoreModule } from '@samsa/stream-store';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafka, kafkaBrokers, uniqueName } from '../support/kafka.js';

const INSTANCES = 4;
const TOPICS = ['orders', 'payments', 'shipments'];
const prefix = `${uniqueName('race')}.`;

/** Every line any instance logs, with its level (Nest's static logger is shared by the apps of a process). */
class CapturingLogger implements LoggerService {
  readonly lines: Array<{ level: string; text: string }> = [];
  log = (message: unknown) => this.push('log', message);
  error = (message: unknown) => this.push('error', message);
  warn = (message: unknown) => this.push('warn', message);
  debug = () => undefined;
  verbose = () => undefined;
  private push(level: string, message: unknown): void {
    this.lines.push({ level, text: String(message) });
  }
}

const logger = new CapturingLogger();
const apps: INestApplicationContext[] = [];

/** One replica: its own samsa module, Kafka clients and topic manager, as a separate process would have. */
async function startInstance(index: number): Promise<StreamPublisher> {
  @Module({
    imports: [
      StreamStoreModule.forRoot({
        brokers: kafkaBrokers(),
        clientId: `${prefix}replica-${index}`,
        topicPrefix: prefix,
        topics: { partitions: 3, replicationFactor: 1 },
      }),
    ],
  })
  class ReplicaModule {}
  const app = await NestFactory.createApplicationContext(ReplicaModule, { logger, abortOnError: false });
  apps.push(app);
  return app.get(StreamPublisher);
}

afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  const admin = createKafka().admin();
  await admin.connect();
  await admin.deleteTopics({ topics: TOPICS.map((name) => `${prefix}${name}`) }).catch(() => undefined);
  await admin.disconnect();
});

describe('replicas starting together on new topics', () => {
  it('create each topic once, log no error or warning about it, and every first publish succeeds', async () => {
    const publishers = await Promise.all(Array.from({ length: INSTANCES }, (_, i) => startInstance(i)));

    // Every replica publishes its first record to every new topic at the same moment.
    const results = await Promise.allSettled(
      publishers.flatMap((publisher, replica) =>
        TOPICS.map((topic) => publisher.publishRaw(topic, `from replica ${replica}`, { key: `r${replica}` })),
      ),
    );

    expect(results.filter(({ status }) => status === 'rejected')).toEqual([]);
    const alarming = logger.lines.filter(({ level }) => level === 'error' || level === 'warn');
    expect(alarming).toEqual([]);
    for (const topic of TOPICS) {
      const created = logger.lines.filter(({ text }) => text.startsWith(`Created topic ${prefix}${topic} `));
      expect(created, `creations of ${topic}`).toHaveLength(1);
    }
    const admin = createKafka().admin();
    await admin.connect();
    try {
      for (const topic of TOPICS) {
        const offsets = await admin.fetchTopicOffsets(`${prefix}${topic}`);
        expect(offsets).toHaveLength(3);
        const records = offsets.reduce((sum, { low, high }) => sum + Number(high) - Number(low), 0);
        expect(records, `records on ${topic}`).toBe(INSTANCES);
      }
    } finally {
      await admin.disconnect();
    }
  });
});
