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

/** Options, or how to work them out: asked only when the topic is missing and created here. */
export type TopicOptionsSource = EnsureTopicOptions | (() => Promise<EnsureTopicOptions>);

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

  ensure(topic: string, options: TopicOptionsSource = {}): Promise<void> {
    if (this.known.has(topic)) return Promise.resolve();
    let creation = this.pending.get(topic);
    if (!creation) {
      creation = this.create(topic, options).finally(() => this.pending.delete(topic));
      this.pending.set(topic, creation);
    }
    return creation;
  }

  /**
   * Options that create a topic like `source`: its partition count, and those of `configs` that are set
   * on `source` itself (a broker default stays a default). None when `source` does not exist.
   */
  async optionsLike(source: string, configs: readonly string[]): Promise<EnsureTopicOptions> {
    // Describing a missing topic could auto-create it on brokers that allow it: ask the listing first.
    if (!(await this.listTopics()).has(source)) {
      this.logger.warn(`Topic ${source} no longer exists: topics shaped like it get the defaults`);
      return {};
    }
    const [partitions, configured] = await Promise.all([
      this.admin.describeTopics([source]),
      configs.length > 0 ? this.admin.describeTopicConfigs([source], [...configs]) : undefined,
    ]);
    const count = partitions.get(source)?.length ?? 0;
    return {
      ...(count > 0 && { partitions: count }),
      config: { ...configured?.get(source) },
    };
  }

  /** Forget a topic, e.g. after it was deleted. */
  forget(topic: string): void {
    this.known.delete(topic);
  }

  private async create(topic: string, source: TopicOptionsSource): Promise<void> {
    // Asking first keeps the client from logging "Topic creation errors" for every topic that already exists.
    if ((await this.listTopics()).has(topic)) {
      this.known.add(topic);
      return;
    }
    const options = typeof source === 'function' ? await source() : source;
    const spec: TopicSpec = {
      topic,
      partitions: options.partitions ?? this.defaults.partitions,
      replicationFactor: Math.min(this.defaults.replicationFactor, await this.countBrokers()),
      config: options.config,
    };
    if (await this.admin.createTopics([spec])) {
      const configs = Object.entries(spec.config ?? {}).map(([name, value]) => `, ${name}=${value}`);
      this.logger.log(
        `Created topic ${topic} (${spec.partitions} partitions, replication ${spec.replicationFactor}${configs.join('')})`,
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
