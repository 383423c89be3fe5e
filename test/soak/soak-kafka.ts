// Kafka access for the soak's driver and checker, on explicit brokers (no Vitest `inject`, so the
// same code runs under `npm run soak` and in the e2e spec).
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Admin, type ConfigResourceTypes } from 'kafkajs';

// kafkajs is CommonJS: its enums are no named ESM exports outside a bundler.
const TOPIC_RESOURCE = 2 as ConfigResourceTypes.TOPIC;

export interface LoggedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | undefined;
  value: Buffer | null;
  headers: Record<string, string>;
}

export class SoakKafka {
  readonly kafka: Kafka;
  private adminClient: Admin | undefined;

  constructor(brokers: string) {
    this.kafka = new Kafka({
      clientId: `soak-${randomBytes(3).toString('hex')}`,
      brokers: brokers.split(','),
      logLevel: logLevel.NOTHING,
    });
  }

  async admin(): Promise<Admin> {
    if (!this.adminClient) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.adminClient = admin;
    }
    return this.adminClient;
  }

  async close(): Promise<void> {
    await this.adminClient?.disconnect();
    this.adminClient = undefined;
  }

  async createTopic(topic: string, partitions: number, config: Record<string, string> = {}): Promise<void> {
    const admin = await this.admin();
    const configEntries = Object.entries(config).map(([name, value]) => ({ name, value }));
    await admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1, configEntries }],
      waitForLeaders: true,
    });
  }

  async alterTopicConfig(topic: string, config: Record<string, string>): Promise<void> {
    const admin = await this.admin();
    const configEntries = Object.entries(config).map(([name, value]) => ({ name, value }));
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: TOPIC_RESOURCE, name: topic, configEntries }],
    });
  }

  async topicExists(topic: string): Promise<boolean> {
    return (await (await this.admin()).listTopics()).includes(topic);
  }

  /** The low and high watermark of each partition of `topic`. */
  async watermarks(topic: string): Promise<Map<number, { low: bigint; high: bigint }>> {
    const offsets = await (await this.admin()).fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, { low: BigInt(o.low), high: BigInt(o.high) }]));
  }

  /** The group's committed offset by partition of `topic` (-1 when none). */
  async committed(group: string, topic: string): Promise<Map<number, bigint>> {
    const [result] = await (await this.admin()).fetchOffsets({ groupId: group, topics: [topic] });
    return new Map((result?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
  }

  /** Every record of `topic` up to its current end, in partition order and offset order within. */
  async readTopic(topic: string, timeoutMs = 120_000): Promise<LoggedRecord[]> {
    const ends = await this.watermarks(topic);
    const remaining = new Map(
      [...ends].filter(([, { low, high }]) => high > low).map(([p, { high }]) => [p, high - 1n]),
    );
    if (remaining.size === 0) return [];
    const records: LoggedRecord[] = [];
    const consumer = this.kafka.consumer({
      groupId: `soak-reader-${randomBytes(5).toString('hex')}`,
      maxWaitTimeInMs: 250,
    });
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    let timer: NodeJS.Timeout | undefined;
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachBatch: async ({ batch }) => {
          const last = remaining.get(batch.partition);
          for (const message of batch.messages) {
            if (last === undefined || BigInt(message.offset) > last) break;
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(message.headers ?? {})) {
              if (value !== undefined) headers[name] = value.toString();
            }
            records.push({
              topic,
              partition: batch.partition,
              offset: message.offset,
              key: message.key?.toString(),
              value: message.value,
              headers,
            });
            if (BigInt(message.offset) >= last) {
              remaining.delete(batch.partition);
              if (remaining.size === 0) finish();
            }
          }
        },
      });
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `reading ${topic}: ${records.length} records within ${timeoutMs} ms, partitions ${[...remaining.keys()].join(',')} unfinished`,
              ),
            ),
          timeoutMs,
        );
      });
      await Promise.race([done, timeout]);
    } finally {
      clearTimeout(timer);
      await consumer.disconnect();
    }
    const byPosition = (a: LoggedRecord, b: LoggedRecord) =>
      a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset));
    return records.sort(byPosition);
  }
}
