import { Logger } from '@nestjs/common';
import type { StreamProducer } from '../kafka/kafka-client.interface.js';
import type { PublishObserver } from '../publisher/publish-observer.js';
import type { TopicManager } from '../publisher/topic-manager.js';
import type { OffsetLedger } from '../store/offset-ledger.interface.js';
import { fromOutboxRow } from '../store/outbox-record.js';
import type { OutputRecord } from '../store/unit-of-work.js';

const DRAIN_BATCH = 500;

/**
 * Produces handler outputs (sinks and `ctx.publish`). With state stores they come from the
 * outbox: written in the batch's SQL transaction, produced after it commits, then deleted — so an
 * output exists only for committed state, and a crash before the delete produces it again
 * (at-least-once).
 */
export class OutputRelay {
  private readonly logger = new Logger('StreamOutputs');
  private dirty = false;

  constructor(
    private readonly producer: StreamProducer,
    private readonly topics: TopicManager,
    private readonly observer: PublishObserver,
  ) {}

  /** Produces outputs in order (per topic), creating missing topics first. */
  async send(outputs: readonly OutputRecord[]): Promise<void> {
    if (outputs.length === 0) return;
    const byTopic = new Map<string, OutputRecord[]>();
    for (const output of outputs) byTopic.set(output.topic, [...(byTopic.get(output.topic) ?? []), output]);
    await Promise.all(
      [...byTopic].map(([topic, list]) => this.topics.ensure(topic, { config: list[0].config })),
    );
    await this.producer.send(
      [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map(({ key, value, headers }) => ({ key, value, headers })),
      })),
    );
    for (const [topic, list] of byTopic) this.observer.published(topic, list.length);
  }

  /** Produces what a commit wrote to the outbox, then deletes it; on failure the rows wait for the next drain. */
  async relay(ledger: OffsetLedger, rows: Awaited<ReturnType<OffsetLedger['commit']>>): Promise<void> {
    if (this.dirty) await this.drain(ledger);
    if (rows.length === 0) return;
    try {
      await this.send(rows.map(fromOutboxRow));
      await ledger.deleteOutbox(rows.map((row) => row.id));
    } catch (error) {
      this.dirty = true;
      this.logger.error(
        `Producing ${rows.length} committed output(s) failed; they stay in the outbox: ${String(error)}`,
      );
    }
  }

  /** Produces every pending outbox row, oldest first (at startup, and after a failed relay). */
  async drain(ledger: OffsetLedger): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await ledger.pendingOutbox(DRAIN_BATCH);
      if (rows.length === 0) break;
      await this.send(rows.map(fromOutboxRow));
      await ledger.deleteOutbox(rows.map((row) => row.id));
      total += rows.length;
    }
    this.dirty = false;
    if (total > 0) this.logger.log(`Produced ${total} output(s) left in the outbox`);
    return total;
  }
}
