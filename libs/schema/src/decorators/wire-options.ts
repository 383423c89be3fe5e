import { compileAvroSchema } from '../avro/avro-type.js';
import { avsc } from '../avro/avsc.js';
import type { AvroSchema } from '../codecs/avro.codec.js';
import { errorMessage } from '../codecs/error-message.js';
import { InvalidSchemaOptionsError } from '../errors/invalid-schema-options.error.js';
import type { SchemaMetadata } from '../interfaces/schema-metadata.interface.js';
import type { SchemaOptions } from '../interfaces/schema-options.interface.js';

const CODECS: readonly string[] = ['json', 'avro'];
const COMPATIBILITY_MODES: readonly string[] = ['backward', 'forward', 'full', 'none'];
/** Confluent Schema Registry ids are signed 32-bit integers. */
const MAX_CONFLUENT_ID = 2 ** 31 - 1;

type WireMetadata = Pick<SchemaMetadata, 'codec' | 'avroSchema' | 'confluentId' | 'compatibility'>;

/** Checks `codec`, `avroSchema`, `confluentId` and `compatibility` of `@Schema()` options. */
export function checkWireOptions(className: string, options: SchemaOptions): WireMetadata {
  const { avroSchema, confluentId, compatibility = 'backward' } = options;
  const codec = options.codec ?? (avroSchema === undefined ? 'json' : 'avro');
  const invalid = (problem: string) => new InvalidSchemaOptionsError(className, problem);
  if (!CODECS.includes(codec)) throw invalid(`codec ${JSON.stringify(codec)} must be "json" or "avro".`);
  if (!COMPATIBILITY_MODES.includes(compatibility)) {
    throw invalid(
      `compatibility ${JSON.stringify(compatibility)} must be "backward", "forward", "full" or "none".`,
    );
  }
  if (codec !== 'avro' && (avroSchema !== undefined || confluentId !== undefined)) {
    throw invalid(
      'avroSchema and confluentId are for Avro schemas: remove codec: "json" (or set codec: "avro").',
    );
  }
  if (
    confluentId !== undefined &&
    !(Number.isInteger(confluentId) && confluentId >= 0 && confluentId <= MAX_CONFLUENT_ID)
  ) {
    throw invalid(
      `confluentId ${String(confluentId)} must be the schema's id in the Confluent Schema Registry, an integer from 0 to ${MAX_CONFLUENT_ID}.`,
    );
  }
  if (avroSchema !== undefined) checkAvroSchema(avroSchema, invalid);
  return {
    codec,
    ...(avroSchema === undefined ? {} : { avroSchema: structuredClone(avroSchema) }),
    ...(confluentId === undefined ? {} : { confluentId }),
    compatibility,
  };
}

function checkAvroSchema(schema: AvroSchema, invalid: (problem: string) => Error): void {
  const type = (schema as { type?: unknown } | null)?.type;
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema) || type !== 'record') {
    throw invalid(
      'avroSchema must be an Avro record schema ({ type: "record", name, fields }): a message is a record.',
    );
  }
  // Outside the try: a missing avsc (MissingAvscError) is not the schema's fault.
  avsc();
  try {
    compileAvroSchema(schema);
  } catch (error) {
    throw invalid(`avroSchema is not a valid Avro schema: ${errorMessage(error)}.`);
  }
}
