import type {
  ConsumerCallbacks,
  ConsumerSettings,
  StreamConsumer,
  TopicPartition,
  TopicPartitionOffset,
} from '../kafka/kafka-client.interface.js';
import type { InMemoryLog } from './in-memory-log.js';

/**
 * A consumer over an in-memory log: the only member of its group, so it owns every partition of
 * its topics. Batches are delivered in offset order per partition, as Kafka would.
 */
export class InMemoryConsumer implements StreamConsumer {
  private topics: string[] = [];
  private readonly positions = new Map<string, bigint>();
  private readonly paused = new Set<string>();
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private readonly onAppend = () => this.wake?.();

  constructor(
    private readonly log: InMemoryLog,
    private readonly settings: ConsumerSettings,
  ) {}

  async connect(): Promise<void> {}

  async subscribe(topics: string[]): Promise<void> {
    this.topics = [...topics];
  }

  async run(callbacks: ConsumerCallbacks): Promise<void> {
    this.running = true;
    const assigned = this.assigned();
    for (const tp of assigned) this.positions.set(key(tp), this.startOffset(tp));
    await callbacks.onAssignment?.(assigned);
    this.log.events.on('append', this.onAppend);
    this.loop = this.consume(callbacks);
  }

  seek({ topic, partition, offset }: TopicPartitionOffset): void {
    this.positions.set(key({ topic, partition }), BigInt(offset));
  }

  async commit(offsets: TopicPartitionOffset[]): Promise<void> {
    for (const { topic, partition, offset } of offsets) {
      this.log.committed.set(this.log.commitKey(this.settings.groupId, topic, partition), offset);
    }
  }

  pause(partitions: TopicPartition[]): void {
    for (const tp of partitions) this.paused.add(key(tp));
  }

  resume(partitions: TopicPartition[]): void {
    for (const tp of partitions) this.paused.delete(key(tp));
    this.wake?.();
  }

  async disconnect(): Promise<void> {
    this.running = false;
    this.wake?.();
    this.log.events.off('append', this.onAppend);
    await this.loop;
  }

  private async consume(callbacks: ConsumerCallbacks): Promise<void> {
    while (this.running) {
      const idle = new Promise<void>((resolve) => (this.wake = resolve));
      let delivered = false;
      for (const tp of this.assigned()) {
        if (!this.running || this.paused.has(key(tp))) continue;
        const position = this.positions.get(key(tp)) ?? this.startOffset(tp);
        const records = (this.log.topics.get(tp.topic)?.[tp.partition] ?? []).slice(Number(position));
        if (records.length === 0) continue;
        delivered = true;
        const done = await callbacks.eachBatch(
          { ...tp, records },
          {
            heartbeat: async () => undefined,
            isActive: () => this.running,
            commit: (offset) => this.commit([{ ...tp, offset }]),
          },
        );
        // Like Kafka, the fetch position moves past what was resolved (unless a seek moved it).
        if (done !== undefined && this.positions.get(key(tp)) === position) {
          this.positions.set(key(tp), BigInt(done) + 1n);
        }
      }
      if (!delivered) await idle;
    }
  }

  private assigned(): TopicPartition[] {
    return this.topics.flatMap((topic) =>
      (this.log.topics.get(topic) ?? []).map((_, partition) => ({ topic, partition })),
    );
  }

  private startOffset(tp: TopicPartition): bigint {
    const committed = this.log.committed.get(
      this.log.commitKey(this.settings.groupId, tp.topic, tp.partition),
    );
    if (committed !== undefined) return BigInt(committed);
    return this.settings.fromBeginning
      ? 0n
      : BigInt(this.log.topics.get(tp.topic)?.[tp.partition]?.length ?? 0);
  }
}

const key = ({ topic, partition }: TopicPartition) => `${topic}:${partition}`;
