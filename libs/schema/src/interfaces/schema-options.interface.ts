import type { AvroSchema } from '../codecs/avro.codec.js';

/** How a schema's messages are written on the wire. */
export type SchemaCodecName = 'json' | 'avro';

/**
 * Which older data a new version of a schema must still read, or be read by (as in Confluent Schema Registry):
 * `backward`, the new version reads data written with the previous one; `forward`, the previous version reads
 * data written with the new one; `full`, both; `none`, no check.
 */
export type SchemaCompatibility = 'backward' | 'forward' | 'full' | 'none';

/** Options of `@Schema()`. */
export interface SchemaOptions {
  /** Version of the contract: a positive integer. Default: `1`. */
  version?: number;
  /** How long messages of this schema are kept, in seconds (a positive integer). Default: unset (the topic's default). */
  retention?: number;
  /** Streams (topics) that carry this schema. Default: `[]`. */
  streams?: readonly string[];
  /**
   * The wire format: `json`, samsa's JSON envelope `{"schema":"Id:version","data":{...}}`; `avro`, Avro binary of
   * the data (the Avro schema derived from the class, or `avroSchema`). Default: `'avro'` when `avroSchema` is
   * given, else `'json'`.
   */
  codec?: SchemaCodecName;
  /**
   * The Avro record schema of the data, instead of the one derived from the class's decorators. Its field names
   * must be the class's property names. Default: derived.
   */
  avroSchema?: AvroSchema;
  /**
   * This version's id in a Confluent Schema Registry: records are then written and read in the Confluent wire
   * format (byte 0, then this id as a 4-byte big-endian integer, then the Avro binary). Avro only. Default: unset
   * (plain Avro binary).
   */
  confluentId?: number;
  /** What a new version must keep, checked against the previous version at startup. Default: `'backward'`. */
  compatibility?: SchemaCompatibility;
}
