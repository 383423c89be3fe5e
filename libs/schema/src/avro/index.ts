// Avro codec and schema evolution: re-exported by the package's index.ts.
export { AvroField } from '../decorators/avro-field.decorator.js';
export { IsBigInt } from '../decorators/is-big-int.decorator.js';
export type { SchemaCodecName, SchemaCompatibility } from '../interfaces/schema-options.interface.js';
export {
  AVRO_CONTENT_TYPE,
  CONTENT_TYPE_HEADER,
  SCHEMA_HEADER,
  avroSchemaOf,
  avroSourceOf,
  decodeAvro,
  encodeAvro,
  type AvroSource,
} from './avro-wire.js';
export { deriveAvroSchema, avroFullName } from './derive-avro-schema.js';
export { frameConfluent, readConfluentFrame, CONFLUENT_MAGIC_BYTE } from './confluent-framing.js';
export { AvroSchemaDerivationError } from './avro-schema-derivation.error.js';
export { UnknownConfluentIdError } from './unknown-confluent-id.error.js';
export { avroBreakingChanges } from './avro-compatibility.js';
export { breakingChanges, type SchemaDocuments } from '../registry/schema-compatibility.js';
export { describeBreakingChanges } from '../json-schema/describe-differences.js';
export type { BreakingChange } from '../json-schema/compare-schemas.js';
