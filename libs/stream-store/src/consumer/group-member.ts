import { Logger } from '@nestjs/common';
import type {
  KafkaClient,
  StreamAdmin,
  StreamConsumer,
  TopicPartition,
} from '../kafka/kafka-client.interface.js';
import { DEFAULTS } from '../defaults.js';
import type { BatchProcessor } from './batch-processor.js';
import type { HandlerBinding } from './handler-binding.js';

export interface GroupMemberSettings {
  refreshMs: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  shutdownTimeoutMs: number;
  /** This instance's URL for interactive queries, advertised in the group (`forRoot({ advertisedUrl })`). */
  advertisedUrl?: string;
  extra?: Record<string, unknown>;
}

/** `restarting`: the client restarted the consumer again and again without finishing a batch. */
export type MemberState = 'idle' | 'running' | 'restarting' | 'crashed' | 'stopped';

/**
 * One handler's membership in its consumer group. KafkaJS resolves a subscription once, so the
 * member lists topics every `refreshMs` and, when new ones match, rejoins with the wider set:
 * offsets committed so far stay, so nothing is lost or handled twice.
 */
export class GroupMember {
  private readonly logger: Logger;
  private consumer?: StreamConsumer;
  private topics: string[] = [];
  private timer?: NodeJS.Timeout;
  private refreshing?: Promise<void>;
  private assignment: TopicPartition[] = [];
  private memberState: MemberState = 'idle';
  private lastError?: string;

  constructor(
    private readonly binding: HandlerBinding,
    private readonly client: KafkaClient,
    private readonly admin: StreamAdmin,
    private readonly processor: BatchProcessor,
    private readonly settings: GroupMemberSettings,
  ) {
    this.logger = new Logger(`StreamHandler ${binding.id}`);
  }

  get state(): {
    state: MemberState;
    group: string;
    topics: string[];
    assigned: TopicPartition[];
    error?: string;
  } {
    return {
      state: this.memberState,
      group: this.binding.group,
      topics: this.topics,
      assigned: this.assignment,
      error: this.lastError,
    };
  }

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refreshNow(), this.settings.refreshMs);
  }

  /** Looks for new matching topics now (also runs every `refreshMs`); never runs twice at once. */
  refreshNow(): Promise<void> {
    this.refreshing ??= this.refresh()
      .catch((error: unknown) => this.logger.warn(`Topic refresh failed: ${String(error)}`))
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.refreshing;
    await this.leave();
    this.memberState = 'stopped';
  }

  /** The live consumer (the processor seeks, pauses and commits through it). */
  current(): StreamConsumer {
    if (!this.consumer) throw new Error(`Handler ${this.binding.id} has no running consumer`);
    return this.consumer;
  }

  private async refresh(): Promise<void> {
    const existing = await this.admin.listTopics();
    const topics = this.binding.matcher.select(existing);
    if (topics.join('\n') === this.topics.join('\n')) return;
    const added = topics.filter((topic) => !this.topics.includes(topic));
    if (this.consumer)
      this.logger.log(`New topics ${added.join(', ')}: rejoining group ${this.binding.group}`);
    await this.leave();
    this.topics = topics;
    await this.warnUnequalPartitionCounts(topics);
    if (topics.length > 0) await this.join(topics);
  }

  /**
   * Partition p of every topic goes to one instance (co-partitioned assignment): that keeps a
   * key's records and state together only when every topic has the same partition count.
   */
  private async warnUnequalPartitionCounts(topics: string[]): Promise<void> {
    if (topics.length < 2) return;
    const described = await this.admin.describeTopics(topics).catch(() => undefined); // only a warning
    const counts = described && topics.map((topic) => `${topic}: ${described.get(topic)?.length ?? 0}`);
    if (!counts || new Set(counts.map((count) => count.split(': ')[1])).size < 2) return;
    this.logger.warn(
      `The topics of ${this.binding.id} have different partition counts (${counts.join(', ')}): a key ` +
        'lands on another partition number in each, so its records and state are not on one instance ' +
        'and not in one order; give them the same count',
    );
  }

  private async join(topics: string[]): Promise<void> {
    const consumer = this.client.consumer({
      groupId: this.binding.group,
      concurrency: this.binding.options.concurrency ?? 1,
      fromBeginning: (this.binding.options.start ?? 'earliest') === 'earliest',
      sessionTimeoutMs: this.settings.sessionTimeoutMs,
      heartbeatIntervalMs: this.settings.heartbeatIntervalMs,
      advertisedUrl: this.settings.advertisedUrl,
      extra: this.settings.extra,
    });
    this.consumer = consumer;
    this.processor.start();
    await consumer.connect();
    await consumer.subscribe(topics);
    await consumer.run({
      eachBatch: async (batch, control) => {
        const done = await this.processor.process(batch, control);
        // A batch that completes ends a run of restarts.
        if (this.memberState === 'restarting') this.memberState = 'running';
        return done;
      },
      onAssignment: async (assigned) => {
        this.assignment = assigned;
        await this.processor.onAssignment(assigned);
      },
      onCrash: (error) => {
        this.memberState = 'crashed';
        this.lastError = error.message;
      },
      onRestart: (error, restarts) => {
        this.lastError = error.message;
        // While no broker answers, restarts are the outage's (health reports it), not this consumer's.
        const brokerDown = this.client.reachability?.().reachable === false;
        if (restarts < DEFAULTS.consumerRestartsUnhealthy || brokerDown) {
          this.logger.warn(`Consumer restarts (${restarts}): ${error.message}`);
          return;
        }
        if (this.memberState !== 'restarting')
          this.logger.error(
            `Consumer restarted ${restarts} times without finishing a batch: ${error.message}`,
          );
        this.memberState = 'restarting';
      },
    });
    this.memberState = 'running';
    this.logger.log(`Consuming ${topics.join(', ')} in group ${this.binding.group}`);
  }

  /** Stops fetching, waits (bounded) for in-flight batches, leaves the group. */
  private async leave(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    this.assignment = [];
    // Running handlers learn through `ctx.signal` that they should wrap up.
    this.processor.stop(`consumer of group ${this.binding.group} is stopping`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.logger.warn(
          `In-flight work did not finish within ${this.settings.shutdownTimeoutMs} ms; leaving anyway`,
        );
        resolve();
      }, this.settings.shutdownTimeoutMs);
    });
    // The consumer stays current until it is gone: in-flight batches still commit through it.
    await Promise.race([consumer.disconnect(), timeout]).finally(() => clearTimeout(timer));
    if (this.consumer === consumer) this.consumer = undefined;
  }
}
