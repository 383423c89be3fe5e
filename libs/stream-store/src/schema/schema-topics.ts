import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  compareSchemas,
  describeDifferences,
  type JsonSchema,
  type SchemaDefinition,
  type SchemaRegistry,
  stableStringify,
  toJsonSchema,
} from '@samsa/schema';
import {
  avroSchemaOf,
  breakingChanges,
  describeBreakingChanges,
  JSON_SCHEMA_GENERATION_COMMENT,
  type SchemaDocuments,
} from '@samsa/schema';
import { SCHEMA_TOPIC_PREFIX, STREAM_SCHEMA_REGISTRY, STREAM_STORE_OPTIONS } from '../constants.js';
import { SchemaConflictError } from '../errors/schema-conflict.error.js';
import { KafkaConnections } from '../kafka/kafka-connections.js';
import type { ResolvedStreamStoreOptions } from '../options/resolve-options.js';
import { TopicManager } from '../publisher/topic-manager.js';
import { SchemaIncompatibleError } from '../errors/schema-incompatible.error.js';

/** Key prefix of a version's Avro schema in `__schema__<Id>` (its JSON Schema is keyed by the bare version). */
export const AVRO_SCHEMA_KEY_PREFIX = 'avro:';

/** What `__schema__<Id>` holds, by version. */
export interface PublishedSchemas {
  readonly json: Map<number, unknown>;
  readonly avro: Map<number, unknown>;
}

/**
 * Publishes every registered schema to its compacted, single-partition topic `__schema__<Id>`,
 * keyed by version, so consumers in any language can read the contracts: key `<version>` holds the JSON
 * Schema, key `avro:<version>` the Avro schema of an Avro class. A published version never changes; a new
 * version is checked against the previous one for the compatibility its `@Schema()` asks for.
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
    return (await this.readAll(id)).json;
  }

  /** Published JSON Schemas and Avro schemas of a schema id, by version. */
  async readAll(id: string): Promise<PublishedSchemas> {
    const published: PublishedSchemas = { json: new Map(), avro: new Map() };
    await this.kafka.client.reader().readToEnd(this.topicOf(id), {}, (records) => {
      for (const record of records) {
        const key = record.key?.toString() ?? '';
        const avro = key.startsWith(AVRO_SCHEMA_KEY_PREFIX);
        const version = Number(avro ? key.slice(AVRO_SCHEMA_KEY_PREFIX.length) : key);
        if (!Number.isSafeInteger(version)) continue;
        const versions = avro ? published.avro : published.json;
        if (record.value === null) versions.delete(version);
        else versions.set(version, JSON.parse(record.value.toString()));
      }
    });
    return published;
  }

  private async publish(id: string): Promise<void> {
    const topic = this.topicOf(id);
    await this.topics.ensure(topic, { partitions: 1, config: { 'cleanup.policy': 'compact' } });
    const published = await this.readAll(id);
    const known = new Map<number, SchemaDocuments>();
    for (const [version, jsonSchema] of published.json) {
      const avroSchema = published.avro.get(version);
      known.set(version, {
        jsonSchema: jsonSchema as JsonSchema,
        ...(avroSchema ? { avroSchema: avroSchema as SchemaDocuments['avroSchema'] } : {}),
      });
    }
    const messages = [];
    for (const version of this.registry.versions(id)) {
      const definition = this.registry.get({ id, version });
      if (!definition) continue;
      const documents = documentsOf(definition);
      const publishedJson = published.json.get(version) as JsonSchema | undefined;
      if (publishedJson && publishedJson.$comment !== JSON_SCHEMA_GENERATION_COMMENT) {
        // An older samsa's description of this version, which could reject messages samsa accepts:
        // the faithful one replaces it (a class changed at the same time goes unnoticed here).
        this.logger.warn(
          `${definition.ref}: ${topic} holds a JSON Schema written by an older samsa; publishing the current one under the same version`,
        );
        known.set(version, documents);
        messages.push({ key: String(version), value: stableStringify(documents.jsonSchema) });
        continue;
      }
      if (publishedJson) {
        this.checkUnchanged(definition, documents, published, topic);
        continue;
      }
      this.checkCompatible(definition, documents, known);
      known.set(version, documents);
      messages.push({ key: String(version), value: stableStringify(documents.jsonSchema) });
      if (documents.avroSchema !== undefined) {
        messages.push({
          key: `${AVRO_SCHEMA_KEY_PREFIX}${version}`,
          value: JSON.stringify(documents.avroSchema),
        });
      }
    }
    if (messages.length === 0) return;
    await this.kafka.producer.send([{ topic, messages }]);
    this.logger.log(`Published ${messages.length} schema document(s) of ${id} to ${topic}`);
  }

  /** A published version never changes: same JSON Schema, same Avro schema (or none). */
  private checkUnchanged(
    definition: SchemaDefinition,
    documents: SchemaDocuments,
    published: PublishedSchemas,
    topic: string,
  ): void {
    const report = compareSchemas(
      published.json.get(definition.version) as JsonSchema,
      documents.jsonSchema,
      {
        previousVersion: definition.version,
        nextVersion: definition.version,
      },
    );
    if (!report.identical) throw new SchemaConflictError(definition.ref, topic, describeDifferences(report));
    const avro = published.avro.get(definition.version);
    const same =
      avro === undefined
        ? documents.avroSchema === undefined
        : documents.avroSchema !== undefined &&
          stableStringify(avro) === stableStringify(documents.avroSchema);
    if (!same) {
      const differences =
        avro === undefined
          ? 'it was published as JSON and is now Avro'
          : documents.avroSchema === undefined
            ? 'it was published as Avro and is now JSON'
            : 'its Avro schema differs';
      throw new SchemaConflictError(definition.ref, topic, differences);
    }
  }

  /** Checks a new version against the highest earlier version published or registered. */
  private checkCompatible(
    definition: SchemaDefinition,
    documents: SchemaDocuments,
    known: ReadonlyMap<number, SchemaDocuments>,
  ): void {
    const earlier = [...known.keys()].filter((version) => version < definition.version);
    if (earlier.length === 0) return;
    const previousVersion = Math.max(...earlier);
    const previous = known.get(previousVersion) as SchemaDocuments;
    const changes = breakingChanges(previous, documents, definition.compatibility);
    if (changes.length > 0) {
      throw new SchemaIncompatibleError(
        definition.ref,
        `${definition.id}:${previousVersion}`,
        definition.compatibility,
        describeBreakingChanges(changes),
      );
    }
  }
}

function documentsOf(definition: SchemaDefinition): SchemaDocuments {
  const avroSchema = avroSchemaOf(definition);
  return {
    jsonSchema: toJsonSchema(definition.target),
    ...(avroSchema === undefined ? {} : { avroSchema: avroSchema as SchemaDocuments['avroSchema'] }),
  };
}
