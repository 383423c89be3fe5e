import type { AvroCodec } from '../codecs/avro.codec.js';
import type { SchemaClass } from './schema-class.interface.js';
import type { SchemaMetadata } from './schema-metadata.interface.js';

/** A schema known to a `SchemaRegistry`: the class's metadata plus its reference string and class. */
export interface SchemaDefinition<T = object> extends SchemaMetadata {
  /** `Id:version`, e.g. `Content:1`: the value of an envelope's `schema` property. */
  readonly ref: string;
  /** The decorated class. */
  readonly target: SchemaClass<T>;
  /** The compiled Avro schema, for `codec: 'avro'`. */
  readonly avro?: AvroCodec<object>;
}
