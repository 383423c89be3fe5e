// Produces keyed records to the input topics at a steady rate, from a seeded PRNG, and counts
// what Kafka acknowledged. The checker replays the input log itself; these counts cross-check it.
import { encodeEnvelope } from '@samsa/schema';
import type { Producer } from 'kafkajs';
import type { Random } from './prng.js';
import { partitionOf, type RecordKind, type TickData } from './topology.js';

const TICK_MS = 100;
/** Hot keys get most records; cold keys are seen seldom, so their `recent` entries expire between records. */
const HOT_KEYS = 40;
const ALL_KEYS = 200;
const POISON_CHANCE = 0.004;

export interface DriverStats {
  acknowledged: Record<RecordKind, number>;
  /** Sends that failed (their records may or may not be in the log: the checker reads it). */
  failedSends: number;
  lastError?: string;
}

export class Driver {
  private readonly topics: string[] = [];
  private readonly pending: RecordKind[] = [];
  private seq = 0;
  private running: Promise<void> | undefined;
  private stopped = false;
  readonly stats: DriverStats = { acknowledged: { ok: 0, poison: 0, oversized: 0 }, failedSends: 0 };

  constructor(
    private readonly producer: Producer,
    private readonly random: Random,
    private readonly recordsPerSecond: number,
  ) {}

  /** Starts producing to `topic` too (a topic the glob matches, created before). */
  addTopic(topic: string): void {
    this.topics.push(topic);
  }

  /** Makes the next record a special one (e.g. `oversized`). */
  inject(kind: RecordKind): void {
    this.pending.push(kind);
  }

  start(): void {
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async loop(): Promise<void> {
    const perTick = Math.max(1, Math.round((this.recordsPerSecond * TICK_MS) / 1000));
    let next = Date.now();
    while (!this.stopped) {
      await this.send(perTick);
      next += TICK_MS;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
    }
  }

  private async send(count: number): Promise<void> {
    const batch = Array.from({ length: count }, () => this.nextRecord());
    const byTopic = new Map<string, typeof batch>();
    for (const record of batch) byTopic.set(record.topic, [...(byTopic.get(record.topic) ?? []), record]);
    try {
      await this.producer.sendBatch({
        topicMessages: [...byTopic].map(([topic, records]) => ({
          topic,
          messages: records.map(({ key, data }) => ({
            key,
            partition: partitionOf(key),
            value: encodeEnvelope('SoakTick:1', data),
          })),
        })),
      });
      for (const { data } of batch) this.stats.acknowledged[data.kind]++;
    } catch (error) {
      this.stats.failedSends++;
      this.stats.lastError = error instanceof Error ? error.message : String(error);
    }
  }

  private nextRecord(): { topic: string; key: string; data: TickData } {
    const topic = this.random.pick(this.topics);
    const k = this.random.chance(0.8)
      ? this.random.int(0, HOT_KEYS - 1)
      : this.random.int(HOT_KEYS, ALL_KEYS - 1);
    const kind = this.pending.shift() ?? (this.random.chance(POISON_CHANCE) ? 'poison' : 'ok');
    return { topic, key: `k${String(k).padStart(3, '0')}`, data: { kind, seq: this.seq++ } };
  }
}
