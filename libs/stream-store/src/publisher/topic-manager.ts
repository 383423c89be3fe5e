import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StreamAdmin, TopicSpec } from '../kafka/kafka-client.interface.js';

export interface TopicDefaults {
  partitions: number;
  replicationFactor: number;
}

export interface EnsureTopicOptions {
  partitions?: number;
  /** Topic-level configs, e.g. `cleanup.policy` or `retention.ms`. */
  config?: Record<string, string>;
}

/**
 * Creates missing topics with configured defaults (the replication factor capped at the number of brokers). A
 * topic-exists cache keeps admin calls off the hot path, and concurrent first uses of a topic share one creation.
 * Configs (e.g. `retention.ms`) apply only when the topic is created here; an existing topic is left as it is.
 */
export class TopicManager {
  private readonly logger = new Logger(TopicManager.name);
  private readonly known = new Set<string>();
  private readonly pending = new Map<string, Promise<void>>();
  private brokerCount?: Promise<number>;
  private listing?: Promise<Set<string>>;

  constructor(
    private readonly admin: StreamAdmin,
    private readonly defaults: TopicDefaults,
  ) {}

  ensure(topic: string, options: EnsureTopicOptions = {}): Promise<void> {
    if (this.known.has(topic)) return Promise.resolve();
    let creation = this.pending.get(topic);
    if (!creation) {
      creation = this.create(topic, options).finally(() => this.pending.delete(topic));
      this.pending.set(topic, creation);
    }
    return creation;
  }

  /** Forget a topic, e.g. after it was deleted. */
  forget(topic: string): void {
    this.known.delete(topic);
  }

  private async create(topic: string, options: EnsureTopicOptions): Promise<void> {
    // Asking first keeps the client from logging "Topic creation errors" for every topic that already exists.
    if ((await this.listTopics()).has(topic)) {
      this.known.add(topic);
      return;
    }
    const spec: TopicSpec = {
      topic,
      partitions: options.partitions ?? this.defaults.partitions,
      replicationFactor: Math.min(this.defaults.replicationFactor, await this.countBrokers()),
      config: options.config,
    };
    if (await this.admin.createTopics([spec])) {
      this.logger.log(
        `Created topic ${topic} (${spec.partitions} partitions, replication ${spec.replicationFactor})`,
      );
      await this.untilVisible(topic);
    }
    this.known.add(topic);
  }

  /** One listing answers every creation that asks while it is in flight. */
  private listTopics(): Promise<Set<string>> {
    this.listing ??= this.admin
      .listTopics()
      .then((topics) => new Set(topics))
      .finally(() => (this.listing = undefined));
    return this.listing;
  }

  /** A new topic reaches every broker's metadata cache a little after creation returns. */
  private async untilVisible(topic: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const partitions = (await this.admin.describeTopics([topic])).get(topic) ?? [];
        if (partitions.length > 0 && partitions.every((p) => p.leader >= 0)) return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      if (Date.now() > deadline) return;
      await sleep(100);
    }
  }

  /** Asked once; a failed attempt is not remembered, so the next creation asks again. */
  private countBrokers(): Promise<number> {
    this.brokerCount ??= this.admin.describeCluster().then(
      ({ brokers }) => Math.max(1, brokers.length),
      (error: unknown) => {
        this.brokerCount = undefined;
        throw error;
      },
    );
    return this.brokerCount;
  }
}
