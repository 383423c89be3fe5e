import { AvroCodec } from '../codecs/avro.codec.js';
import { CodecError } from '../errors/codec.error.js';
import { UnknownSchemaError } from '../errors/unknown-schema.error.js';
import type { SchemaClass } from '../interfaces/schema-class.interface.js';
import type { SchemaDefinition } from '../interfaces/schema-definition.interface.js';
import type { SchemaMetadata } from '../interfaces/schema-metadata.interface.js';
import { parseSchemaRef } from '../ref/schema-ref.js';
import type { SchemaRegistry } from '../registry/schema-registry.js';
import { fromAvroData, toAvroData } from './avro-data.js';
import { frameConfluent, readConfluentFrame } from './confluent-framing.js';
import { avroFullName, deriveAvroSchema } from './derive-avro-schema.js';
import { markNumberLongs } from './number-longs.js';
import { UnknownConfluentIdError } from './unknown-confluent-id.error.js';

/** Header naming a record's encoding. samsa writes `avro/binary` for Avro schemas; JSON envelopes carry none. */
export const CONTENT_TYPE_HEADER = 'content-type';
/** `content-type` of Avro records. */
export const AVRO_CONTENT_TYPE = 'avro/binary';
/** Header naming the `Id:version` an Avro record was written with (the envelope carries it for JSON). */
export const SCHEMA_HEADER = 'samsa.schema';

/** The Avro codec of an Avro `@Schema()` class: its `avroSchema`, or the schema derived from its decorators. */
export function createAvroCodec(
  target: SchemaClass,
  metadata: SchemaMetadata,
  ref: string,
): AvroCodec<object> {
  const schema = metadata.avroSchema ?? deriveAvroSchema(target, avroFullName(metadata.id));
  const marked = markNumberLongs(structuredClone(schema), target);
  return new AvroCodec<object>(marked.schema, ref, marked.numberLongs);
}

/** The Avro schema of a definition as JSON, as published to `__schema__<Id>` (logical types included). */
export function avroSchemaOf(definition: SchemaDefinition): unknown {
  return definition.avro?.type.schema({ exportAttrs: true });
}

/** Avro bytes of valid data (Confluent-framed when the schema has a `confluentId`). Throws `CodecError`. */
export function encodeAvro(definition: SchemaDefinition, data: object): Buffer {
  const codec = avroCodecOf(definition);
  const payload = codec.encode(toAvroData(data) as object);
  return definition.confluentId === undefined ? payload : frameConfluent(definition.confluentId, payload);
}

/** Where an Avro value came from: the schema it was written with, and its Avro binary (framing removed). */
export interface AvroSource {
  readonly writer: SchemaDefinition;
  readonly payload: Buffer;
}

/**
 * Finds the schema an Avro value was written with: the `Id:version` of its `samsa.schema` header if any;
 * else, for a reader with a `confluentId`, the registered schema whose `confluentId` the frame names; else the
 * reader's own. A writer with a `confluentId` means a framed value. Throws `UnknownSchemaError`,
 * `UnknownConfluentIdError` or `CodecError`.
 */
export function avroSourceOf(
  registry: SchemaRegistry,
  reader: SchemaDefinition,
  value: Buffer,
  writerRef?: string,
): AvroSource {
  let writer = reader;
  if (writerRef !== undefined) {
    const named = registry.get(writerRef);
    if (named === undefined) {
      throw new UnknownSchemaError(writerRef, registry.versions(parseSchemaRef(writerRef).id));
    }
    writer = named;
  }
  if (writer.codec !== 'avro') {
    throw new CodecError(
      'avro',
      writer.ref,
      'decode',
      `${writer.ref} is a JSON schema; the record's content-type says Avro`,
    );
  }
  if (writer.confluentId === undefined) return { writer, payload: value };
  const { schemaId, payload } = readConfluentFrame(value, reader.ref);
  const framed = registry.getByConfluentId(schemaId);
  if (framed === undefined) throw new UnknownConfluentIdError(schemaId, reader.ref, registry.confluentIds());
  return { writer: framed, payload };
}

/** Reads an Avro value written with `writer` as `reader`'s data (plain objects, Dates, bigints). */
export function decodeAvro(reader: SchemaDefinition, { writer, payload }: AvroSource): unknown {
  return fromAvroData(avroCodecOf(reader).decode(payload, avroCodecOf(writer)));
}

function avroCodecOf(definition: SchemaDefinition): AvroCodec<object> {
  if (definition.avro === undefined) {
    throw new CodecError(
      'avro',
      definition.ref,
      'encode',
      'the schema is not an Avro schema; declare it with codec: "avro"',
    );
  }
  return definition.avro;
}
