import { Logger } from '@nestjs/common';
import type { StreamProducer } from '../kafka/kafka-client.interface.js';
import type { StoreRuntime } from '../store/store-runtime.js';

/**
 * Deletes expired keys periodically (reads already skip them) and writes their tombstones to the
 * changelog, so a restore does not bring them back. Rows written outside handlers (partition -1)
 * have no changelog partition.
 */
export class TtlSweeper {
  private readonly logger = new Logger('StateTtl');
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;

  constructor(
    private readonly stores: StoreRuntime,
    private readonly producer: StreamProducer,
    private readonly topicOf: (store: string) => string,
    private readonly ensureTopic: (topic: string, partition: number) => Promise<void>,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.sweep(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  sweep(): Promise<void> {
    this.sweeping ??= this.sweepOnce()
      .catch((error: unknown) => this.logger.warn(`TTL sweep failed: ${String(error)}`))
      .finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    const logged = new Set(this.stores.changelogStores().map((store) => store.name));
    const expired = (await this.stores.deleteExpired()).filter(
      (row) => logged.has(row.store) && row.partition >= 0,
    );
    if (expired.length === 0) return;
    const byTopic = new Map<string, typeof expired>();
    for (const row of expired)
      byTopic.set(this.topicOf(row.store), [...(byTopic.get(this.topicOf(row.store)) ?? []), row]);
    for (const [topic, rows] of byTopic) {
      await this.ensureTopic(topic, Math.max(...rows.map((row) => row.partition)));
    }
    await this.producer.send(
      [...byTopic].map(([topic, rows]) => ({
        topic,
        messages: rows.map(({ key, partition }) => ({ key, value: null, partition })),
      })),
    );
    this.logger.log(`Expired ${expired.length} key(s); tombstones written to the changelogs`);
  }
}
