import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StreamAdmin, TopicSpec } from '../kafka/kafka-client.interface.js';

/** How long a topic may take to be served by its partitions' leaders after creation, and how often to ask. */
const TOPIC_SERVED_TIMEOUT_MS = 30_000;
const TOPIC_SERVED_POLL_MS = 100;

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
    // Asking first keeps creation requests (and their answers about topics that exist) off every restart.
    if (!(await this.listTopics()).has(topic)) {
      const options = typeof source === 'function' ? await source() : source;
      const spec: TopicSpec = {
        topic,
        partitions: options.partitions ?? this.defaults.partitions,
        replicationFactor: Math.min(this.defaults.replicationFactor, await this.countBrokers()),
        config: options.config,
      };
      // False when another replica created it a moment earlier: as good, and its options stand.
      if (await this.admin.createTopics([spec])) {
        const configs = Object.entries(spec.config ?? {}).map(([name, value]) => `, ${name}=${value}`);
        this.logger.log(
          `Created topic ${topic} (${spec.partitions} partitions, replication ${spec.replicationFactor}${configs.join('')})`,
        );
      }
    }
    // Whoever created it, and even when the listing already showed it (created a moment ago by a
    // replica starting alongside), the first publish must find every partition served.
    await this.untilServed(topic);
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

  /**
   * A new topic reaches the brokers' metadata, then their logs, a little after creation returns: wait
   * until every partition has a leader and that leader answers for it (its log bounds), the first
   * thing a publish needs. Past the bound, the topic is used anyway and the caller sees any failure.
   */
  private async untilServed(topic: string): Promise<void> {
    const deadline = Date.now() + TOPIC_SERVED_TIMEOUT_MS;
    let lastFailure = 'no partitions in the metadata yet';
    for (;;) {
      try {
        const partitions = (await this.admin.describeTopics([topic])).get(topic) ?? [];
        const leaderless = partitions.filter((p) => p.leader < 0).length;
        if (partitions.length > 0 && leaderless === 0) {
          const served = (await this.admin.servedPartitions?.(topic)) ?? partitions.length;
          if (served >= partitions.length) return;
          lastFailure = `${served} of ${partitions.length} partitions served by their leader`;
        } else if (partitions.length > 0) {
          lastFailure = `${leaderless} of ${partitions.length} partitions without a leader`;
        }
      } catch (error) {
        lastFailure = error instanceof Error ? error.message : String(error);
      }
      if (Date.now() > deadline) {
        this.logger.warn(
          `Topic ${topic} is not served after ${TOPIC_SERVED_TIMEOUT_MS / 1000} s (${lastFailure}); using it anyway`,
        );
        return;
      }
      await sleep(TOPIC_SERVED_POLL_MS);
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
