import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  compareSchemas,
  describeDifferences,
  type SchemaRegistry,
  stableStringify,
  toJsonSchema,
} from '@samsa/schema';
import { SCHEMA_TOPIC_PREFIX, STREAM_SCHEMA_REGISTRY, STREAM_STORE_OPTIONS } from '../constants.js';
import { SchemaConflictError } from '../errors/schema-conflict.error.js';
import { KafkaConnections } from '../kafka/kafka-connections.js';
import type { ResolvedStreamStoreOptions } from '../options/resolve-options.js';
import { TopicManager } from '../publisher/topic-manager.js';

/**
 * Publishes every registered schema to its compacted, single-partition topic `__schema__<Id>`,
 * keyed by version, so consumers in any language can read the contracts.
 */
@Injectable()
export class SchemaTopics {
  private readonly logger = new Logger('SchemaTopics');

  constructor(
    @Inject(STREAM_STORE_OPTIONS) private readonly options: ResolvedStreamStoreOptions,
    @Inject(STREAM_SCHEMA_REGISTRY) private readonly registry: SchemaRegistry,
    private readonly kafka: KafkaConnections,
    private readonly topics: TopicManager,
  ) {}

  topicOf(id: string): string {
    return `${this.options.topicPrefix}${SCHEMA_TOPIC_PREFIX}${id}`;
  }

  async publishAll(): Promise<void> {
    if (!this.options.registerSchemas) return;
    const ids = [...new Set(this.registry.all().map((definition) => definition.id))];
    await Promise.all(ids.map((id) => this.publish(id)));
  }

  /** Published versions of a schema id: version → JSON Schema (the latest record per version). */
  async read(id: string): Promise<Map<number, unknown>> {
    const published = new Map<number, unknown>();
    await this.kafka.client.reader().readToEnd(this.topicOf(id), {}, (records) => {
      for (const record of records) {
        const version = Number(record.key?.toString());
        if (record.value === null) published.delete(version);
        else published.set(version, JSON.parse(record.value.toString()));
      }
    });
    return published;
  }

  private async publish(id: string): Promise<void> {
    const topic = this.topicOf(id);
    await this.topics.ensure(topic, { partitions: 1, config: { 'cleanup.policy': 'compact' } });
    const published = await this.read(id);
    const messages = [];
    for (const version of this.registry.versions(id)) {
      const definition = this.registry.get({ id, version });
      if (!definition) continue;
      const schema = toJsonSchema(definition.target);
      const existing = published.get(version);
      if (existing !== undefined) {
        const report = compareSchemas(existing as never, schema, {
          previousVersion: version,
          nextVersion: version,
        });
        if (!report.identical)
          throw new SchemaConflictError(definition.ref, topic, describeDifferences(report));
        continue;
      }
      messages.push({ key: String(version), value: stableStringify(schema) });
    }
    if (messages.length === 0) return;
    await this.kafka.producer.send([{ topic, messages }]);
    this.logger.log(`Published ${messages.length} version(s) of schema ${id} to ${topic}`);
  }
}
