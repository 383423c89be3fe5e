import type { AvroSchema } from '../codecs/avro.codec.js';
import type { SchemaCodecName, SchemaCompatibility } from './schema-options.interface.js';

/** What `@Schema()` records on a class (frozen). */
export interface SchemaMetadata {
  /** Schema id, e.g. `Content`. */
  readonly id: string;
  /** Positive integer version. */
  readonly version: number;
  /** Retention in seconds, if declared. */
  readonly retention?: number;
  /** Streams that carry the schema (a copy of the decorator's list). */
  readonly streams: readonly string[];
  /** The wire format. */
  readonly codec: SchemaCodecName;
  /** The explicit Avro schema, if given. */
  readonly avroSchema?: AvroSchema;
  /** The Confluent Schema Registry id, if given (Avro only). */
  readonly confluentId?: number;
  /** What a new version must keep with the previous one. */
  readonly compatibility: SchemaCompatibility;
}
