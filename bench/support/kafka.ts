// Plain kafkajs helpers: the clients the raw cases measure, and topic setup.
import { Kafka, logLevel, Partitioners, type Message } from 'kafkajs';

export const kafka = (brokers: string, clientId = 'samsa-bench'): Kafka =>
  new Kafka({ clientId, brokers: brokers.split(','), logLevel: logLevel.NOTHING });

/** Creates topics (replication factor 1) and waits for their leaders. */
export async function createTopics(brokers: string, topics: string[], partitions: number): Promise<void> {
  const admin = kafka(brokers).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(brokers: string, prefix: string): Promise<void> {
  const admin = kafka(brokers).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}

/** Produces `count` messages made by `message(i)`, 1 000 per request, a few requests in flight. */
export async function produceAll(
  brokers: string,
  topic: string,
  count: number,
  message: (i: number) => Message,
): Promise<void> {
  const producer = kafka(brokers).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    const chunk = 1_000;
    const inFlight: Promise<unknown>[] = [];
    for (let start = 0; start < count; start += chunk) {
      const messages = Array.from({ length: Math.min(chunk, count - start) }, (_, i) => message(start + i));
      inFlight.push(producer.send({ topic, messages, acks: 1 }));
      if (inFlight.length >= 4) await inFlight.shift();
    }
    await Promise.all(inFlight);
  } finally {
    await producer.disconnect();
  }
}

/**
 * How long a fetch waits for data when a consumer has caught up (KafkaJS: 5 000 ms). Lowered for
 * every consumer alike: it only matters once the preloaded messages are consumed, where KafkaJS
 * would otherwise hold each shutdown for the long poll.
 */
export const FETCH_MAX_WAIT_MS = 500;
