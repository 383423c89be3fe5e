import { Inject, Injectable, Optional } from '@nestjs/common';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import { SchemaRegistry } from '@samsa/schema';
import {
  STREAM_HANDLER_METADATA,
  STREAM_SCHEMA_REGISTRY,
  STREAM_STORE_OPTIONS,
  STREAM_STORE_TRANSPORT,
} from '../constants.js';
import { BatchProcessor } from '../consumer/batch-processor.js';
import { resolveRetryPolicy } from '../consumer/backoff.js';
import { DeadLetterWriter } from '../consumer/dead-letter.js';
import { GroupMember } from '../consumer/group-member.js';
import type { HandlerBinding } from '../consumer/handler-binding.js';
import type { NestHandler } from '../consumer/handler-invoker.js';
import { createPayloadDecoder } from '../consumer/payload-decoder.js';
import { NO_OBSERVER, type ProcessingObserver } from '../consumer/processing-observer.js';
import { TopicMatcher } from '../consumer/topic-matcher.js';
import { DEFAULTS } from '../defaults.js';
import type { StreamHandlerMetadata } from '../decorators/stream-handler.decorator.js';
import { ConfigurationError } from '../errors/configuration.error.js';
import type { StreamConsumer } from '../kafka/kafka-client.interface.js';
import { KafkaConnections } from '../kafka/kafka-connections.js';
import type { ResolvedStreamStoreOptions } from '../options/resolve-options.js';
import { TopicManager } from '../publisher/topic-manager.js';
import { StreamTopics } from '../publisher/stream-topics.js';
import { StreamPublisher } from '../publisher/stream-publisher.js';
import { NO_PUBLISH_OBSERVER } from '../publisher/publish-observer.js';
import { OutputRelay } from '../consumer/output-relay.js';
import type { OutboxStatus } from '../consumer/outbox-status.js';
import { PartitionCounts } from '../publisher/partition-counts.js';
import { Changelogs } from '../changelog/changelogs.js';
import { SchemaTopics } from '../schema/schema-topics.js';
import { StoreRuntime } from '../store/store-runtime.js';
import { PROCESSING_OBSERVER } from './processing-observer.token.js';
import { StreamMetrics } from '../metrics/stream-metrics.js';
import { consumerLag } from '../metrics/consumer-lag.js';
import type { Unmoved } from '../consumer/partition-status.js';

export interface HandlerStatus {
  handler: string;
  group: string;
  state: string;
  topics: string[];
  assigned: Array<{ topic: string; partition: number }>;
  halted: Record<string, string>;
  /** Partitions paused until something comes back by itself (a broker, a database, a stuck run), with why. */
  waiting: Record<string, string>;
  /**
   * Assigned partitions, neither halted nor waiting, that finished no batch for 20 s or more, with
   * for how long (ms): caught up, or held up by something (health asks Kafka which).
   */
  unmoved?: Record<string, Unmoved>;
  error?: string;
}

/**
 * samsa's Nest transport: runs every `@StreamHandler` method against Kafka, each in its own
 * consumer group. Use with `app.connectMicroservice({ strategy: app.get(StreamStoreServer) })`.
 */
@Injectable()
export class StreamStoreServer extends Server implements CustomTransportStrategy {
  override readonly transportId = STREAM_STORE_TRANSPORT;
  override readonly propagatesEventHandlerErrors = true;
  private members: Array<{ binding: HandlerBinding; member: GroupMember; processor: BatchProcessor }> = [];
  private closing?: Promise<void>;
  private outputs?: OutputRelay;

  constructor(
    @Inject(STREAM_STORE_OPTIONS) private readonly options: ResolvedStreamStoreOptions,
    @Inject(STREAM_SCHEMA_REGISTRY) private readonly registry: SchemaRegistry,
    private readonly kafka: KafkaConnections,
    private readonly topics: TopicManager,
    private readonly schemaTopics: SchemaTopics,
    private readonly stores: StoreRuntime,
    private readonly streamTopics: StreamTopics,
    private readonly publisher: StreamPublisher,
    private readonly changelogs: Changelogs,
    @Optional() @Inject(PROCESSING_OBSERVER) private readonly observer: ProcessingObserver = NO_OBSERVER,
    @Optional() private readonly metrics?: StreamMetrics,
  ) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    this.closing ??= Promise.all(this.members.map(({ member }) => member.stop())).then(() =>
      this.outputs?.close(),
    );
    await this.closing;
  }

  /** Per handler: group, topics, assigned partitions, stopped partitions. */
  handlerStatus(): HandlerStatus[] {
    return this.members.map(({ binding, member, processor }) => ({
      handler: binding.id,
      ...member.state,
      halted: Object.fromEntries(processor.halted),
      waiting: Object.fromEntries(
        [...processor.waiting].map(([partition, { reason }]) => [partition, reason]),
      ),
      unmoved: Object.fromEntries(processor.unmoved(DEFAULTS.partitionStallMs)),
    }));
  }

  /** The outbox's backlog of committed outputs not yet produced; undefined before start. */
  outboxStatus(): OutboxStatus | undefined {
    return this.outputs?.status();
  }

  /** Subscribes every handler to matching topics created since the last refresh, now. */
  async refreshSubscriptions(): Promise<void> {
    await Promise.all(this.members.map(({ member }) => member.refreshNow()));
  }

  on(): never {
    throw new Error('StreamStoreServer has no events to listen to; use its status() instead.');
  }

  unwrap<T>(): T {
    return this.kafka.client as T;
  }

  private async start(): Promise<void> {
    const bindings = this.bindings();
    await this.kafka.connect();
    await this.schemaTopics.publishAll();
    // Handlers' payload classes were registered just now: create their schemas' streams too.
    await this.streamTopics.createAll();
    const ledger = await this.stores.ledger();
    const deadLetters = new DeadLetterWriter(this.kafka.producer, this.topics, this.options.topicPrefix);
    // Partition counts let the relay send each partition's outputs on their own: a refusal of one
    // never makes it resend what another partition accepted.
    const outputs = new OutputRelay(this.kafka.producer, this.topics, this.metrics ?? NO_PUBLISH_OBSERVER, {
      partitionCounts: new PartitionCounts(this.kafka.admin, DEFAULTS.partitionCountMaxAgeMs),
    });
    this.outputs = outputs;
    if (ledger) await outputs.drain(ledger);
    const encodeOutput = this.publisher.prepareOutput.bind(this.publisher);
    for (const binding of bindings) {
      // The processor seeks, pauses and commits through whichever consumer the member runs now.
      const processor: BatchProcessor = new BatchProcessor(binding, (): StreamConsumer => member.current(), {
        deadLetters,
        outputs,
        encodeOutput,
        ledger,
        changelogs: ledger && this.changelogs.enabled ? this.changelogs : undefined,
        watermarks: (topic) => this.kafka.admin.fetchTopicOffsets(topic),
        committedOffsets: (group, topics) => this.kafka.admin.fetchGroupOffsets(group, topics),
        offsetReset: this.options.offsetReset ?? 'halt',
        observer: this.observer,
        heartbeatIntervalMs: DEFAULTS.heartbeatIntervalMs,
      });
      const member: GroupMember = new GroupMember(binding, this.kafka.client, this.kafka.admin, processor, {
        refreshMs: this.options.subscriptionRefreshMs,
        sessionTimeoutMs: DEFAULTS.sessionTimeoutMs,
        heartbeatIntervalMs: DEFAULTS.heartbeatIntervalMs,
        shutdownTimeoutMs: this.options.shutdownTimeoutMs,
        advertisedUrl: this.options.advertisedUrl,
        extra: this.options.consumer,
      });
      this.members.push({ binding, member, processor });
    }
    await Promise.all(this.members.map(({ member }) => member.start()));
    this.metrics?.setLagSource(() =>
      consumerLag(
        this.kafka.admin,
        this.members.map(({ member }) => ({ group: member.state.group, topics: member.state.topics })),
      ),
    );
  }

  private bindings(): HandlerBinding[] {
    const bindings: HandlerBinding[] = [];
    const groups = new Map<string, string>();
    for (const handler of this.messageHandlers.values()) {
      const metadata = handler.extras?.[STREAM_HANDLER_METADATA] as StreamHandlerMetadata | undefined;
      if (!metadata) continue;
      if ((handler as MessageHandler & { next?: unknown }).next) {
        throw new ConfigurationError(
          `Two @StreamHandler methods share the id ${metadata.id}; rename one of the classes or methods.`,
        );
      }
      const group = metadata.options.group ?? `${this.options.appId}.${metadata.id}`;
      const other = groups.get(group);
      if (other) {
        throw new ConfigurationError(
          `Handlers ${other} and ${metadata.id} share the consumer group "${group}"; give each its own \`group\`.`,
        );
      }
      groups.set(group, metadata.id);
      bindings.push({
        id: metadata.id,
        group,
        matcher: new TopicMatcher(metadata.patterns, this.options.topicPrefix),
        options: metadata.options,
        retry: resolveRetryPolicy(this.options.retry, metadata.options.retry),
        decoder: createPayloadDecoder(this.registry, metadata.parameterTypes(), metadata.options),
        handler: handler as unknown as NestHandler,
      });
    }
    return bindings;
  }
}
