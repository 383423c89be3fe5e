// Helpers for e2e tests against the real broker started by test/global-setup.ts.
import { randomBytes } from 'node:crypto';
import {
  Kafka,
  logLevel,
  Partitioners,
  type IHeaders,
  type ITopicConfig,
  type KafkaConfig,
  type Message,
  type RecordMetadata,
} from 'kafkajs';
import { inject } from 'vitest';

/** The brokers provided by the global setup (falls back to KAFKA_BROKERS outside Vitest workers). */
export function kafkaBrokers(): string[] {
  const brokers = inject('kafkaBrokers') ?? process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('No Kafka brokers: run through the e2e Vitest project or set KAFKA_BROKERS');
  return brokers.split(',');
}

/** A topic/group/client name no other test (or earlier run) uses: `<prefix>-<random>`. */
export function uniqueName(prefix = 'test'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

/** A kafkajs client on the test brokers; silent unless `config.logLevel` says otherwise. */
export function createKafka(clientId = uniqueName('client'), config: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({ clientId, brokers: kafkaBrokers(), logLevel: logLevel.NOTHING, ...config });
}

/** Creates a topic (replication factor 1) and waits for its partition leaders. Returns the name. */
export async function createTopic(
  name: string,
  partitions = 1,
  configEntries: Record<string, string> = {},
): Promise<string> {
  const admin = createKafka().admin();
  await admin.connect();
  try {
    const topic: ITopicConfig = {
      topic: name,
      numPartitions: partitions,
      replicationFactor: 1,
      configEntries: Object.entries(configEntries).map(([key, value]) => ({ name: key, value })),
    };
    // KafkaJS's own wait for leaders gives up on UNKNOWN_TOPIC_OR_PARTITION while a loaded broker
    // is still spreading the new topic's metadata: create, then wait here until every leader is known.
    await admin.createTopics({ topics: [topic], waitForLeaders: false });
    await waitFor(
      async () => {
        const { topics } = await admin.fetchTopicMetadata({ topics: [name] });
        const found = topics[0]?.partitions ?? [];
        return found.length === partitions && found.every((partition) => partition.leader >= 0);
      },
      { timeoutMs: 30_000, message: `leaders of new topic ${name}` },
    );
  } finally {
    await admin.disconnect();
  }
  return name;
}

/** Sends messages (a plain string is the value) with a one-shot producer. */
export async function produce(topic: string, messages: Array<Message | string>): Promise<RecordMetadata[]> {
  // Idempotent: a send retried after a timeout on a loaded broker must not write its records twice.
  const producer = createKafka().producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  try {
    return await producer.send({
      acks: -1,
      topic,
      messages: messages.map((m) => (typeof m === 'string' ? { value: m } : m)),
    });
  } finally {
    await producer.disconnect();
  }
}

export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/**
 * Reads `topic` from the beginning with a fresh consumer group until `count` messages arrived;
 * resolves with the first `count` of them, or rejects on timeout saying how many arrived.
 */
export async function consumeAll(
  topic: string,
  count: number,
  { timeoutMs = 30_000, groupId = uniqueName('consume-all') }: { timeoutMs?: number; groupId?: string } = {},
): Promise<ConsumedMessage[]> {
  const consumer = createKafka().consumer({ groupId, maxWaitTimeInMs: 250 });
  const received: ConsumedMessage[] = [];
  let done!: () => void;
  const enough = new Promise<void>((resolve) => (done = resolve));
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic: t, partition, message }) => {
        const { offset, timestamp, key, value, headers = {} } = message;
        received.push({ topic: t, partition, offset, timestamp, key, value, headers });
        // Resolve outside eachMessage: disconnecting from inside it would wait for itself.
        if (received.length >= count) done();
      },
    });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(`consumeAll(${topic}): ${received.length} of ${count} messages within ${timeoutMs} ms`),
          ),
        timeoutMs,
      );
    });
    await Promise.race([enough, timeout]);
    return received.slice(0, count);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
}

/** Polls `predicate` until it returns a truthy value (which is returned), or rejects after `timeoutMs`. */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 100, message = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value;
    } catch (err) {
      lastError = err; // keep polling: the system under test may not be ready yet
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`waitFor: ${message} not met within ${timeoutMs} ms${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
