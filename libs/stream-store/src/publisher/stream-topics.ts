import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { SchemaRegistry } from '@samsa/schema';
import { STREAM_SCHEMA_REGISTRY, STREAM_STORE_OPTIONS } from '../constants.js';
import { KafkaConnections } from '../kafka/kafka-connections.js';
import type { ResolvedStreamStoreOptions } from '../options/resolve-options.js';
import { topicConfigFor } from './topic-config.js';
import { TopicManager } from './topic-manager.js';

/**
 * Creates, at startup, the topics that registered schemas name in `streams` (with the topic prefix, the configured
 * defaults and the schema's retention). Without such schemas it does nothing and never connects.
 */
@Injectable()
export class StreamTopics implements OnApplicationBootstrap {
  private readonly logger = new Logger(StreamTopics.name);

  constructor(
    @Inject(STREAM_STORE_OPTIONS) private readonly options: ResolvedStreamStoreOptions,
    @Inject(STREAM_SCHEMA_REGISTRY) private readonly registry: SchemaRegistry,
    private readonly kafka: KafkaConnections,
    private readonly topics: TopicManager,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.createAll();
  }

  /** Ensures every stream of every registered schema exists; returns the Kafka topic names. */
  async createAll(): Promise<string[]> {
    // Retention (seconds) per topic; when several schemas share a stream, the longest declared one wins.
    const retention = new Map<string, number | undefined>();
    for (const schema of this.registry.all()) {
      for (const stream of schema.streams) {
        const topic = this.options.topicPrefix + stream;
        const known = retention.get(topic);
        retention.set(topic, Math.max(known ?? 0, schema.retention ?? 0) || undefined);
      }
    }
    const configs = new Map(
      [...retention].map(([topic, seconds]) => [topic, topicConfigFor({ retention: seconds })]),
    );
    if (configs.size === 0) return [];
    await this.kafka.connect();
    await Promise.all([...configs].map(([topic, config]) => this.topics.ensure(topic, { config })));
    this.logger.debug(`Streams of registered schemas ready: ${[...configs.keys()].join(', ')}`);
    return [...configs.keys()];
  }
}
