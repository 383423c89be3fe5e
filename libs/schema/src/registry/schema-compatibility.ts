import { avroBreakingChanges } from '../avro/avro-compatibility.js';
import type { AvroSchema } from '../codecs/avro.codec.js';
import { compareSchemas, type BreakingChange } from '../json-schema/compare-schemas.js';
import type { JsonSchema } from '../json-schema/json-schema.interface.js';
import type { SchemaCompatibility } from '../interfaces/schema-options.interface.js';

/** One version of a schema as published: its JSON Schema, and its Avro schema for an Avro class. */
export interface SchemaDocuments {
  readonly jsonSchema: JsonSchema;
  readonly avroSchema?: AvroSchema;
}

/**
 * The changes from `previous` to `next` that break `mode`: by Avro schema resolution when both versions are Avro
 * (what their readers really do), else by their JSON Schemas (`compareSchemas()`). Empty when compatible.
 */
export function breakingChanges(
  previous: SchemaDocuments,
  next: SchemaDocuments,
  mode: SchemaCompatibility,
): BreakingChange[] {
  if (mode === 'none') return [];
  if (previous.avroSchema !== undefined && next.avroSchema !== undefined) {
    return avroBreakingChanges(previous.avroSchema, next.avroSchema, mode);
  }
  return [
    ...compareSchemas(previous.jsonSchema, next.jsonSchema, { previousVersion: 1, nextVersion: 2, mode })
      .breaking,
  ];
}
