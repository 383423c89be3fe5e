// Contracts
export { Schema } from './decorators/schema.decorator.js';
export { getSchemaMetadata, isSchemaClass } from './metadata/schema-metadata.accessor.js';
export type { SchemaClass } from './interfaces/schema-class.interface.js';
export type { SchemaOptions } from './interfaces/schema-options.interface.js';
export type { SchemaMetadata } from './interfaces/schema-metadata.interface.js';
export type { SchemaDefinition } from './interfaces/schema-definition.interface.js';
export { formatSchemaRef, parseSchemaRef, type SchemaRef } from './ref/schema-ref.js';
export { SchemaRegistry } from './registry/schema-registry.js';

// Envelope and validation
export { encodeEnvelope, decodeEnvelope, type DecodedEnvelope } from './envelope/envelope.js';
export { MAX_DATA_DEPTH } from './envelope/data-limits.js';
export {
  validateMessage,
  validateMessageSync,
  type ValidateMessageOptions,
} from './validation/validate-message.js';
export { MessageCodec, type DecodedMessage } from './message/message-codec.js';

// JSON Schema and compatibility
export type { JsonSchema } from './json-schema/json-schema.interface.js';
export {
  toJsonSchema,
  JSON_SCHEMA_GENERATION,
  JSON_SCHEMA_GENERATION_COMMENT,
} from './json-schema/to-json-schema.js';
// A property's published schema, overridden by hand (class-validator-jsonschema's decorator).
export { JSONSchema } from 'class-validator-jsonschema';
export { stableStringify } from './json-schema/stable-stringify.js';
export {
  compareSchemas,
  type CompareSchemasOptions,
  type CompatibilityReport,
  type TypeChange,
} from './json-schema/compare-schemas.js';
export { describeDifferences } from './json-schema/describe-differences.js';

// Codecs
export type { Codec } from './codecs/codec.interface.js';
export { JsonCodec } from './codecs/json.codec.js';
export { AvroCodec, type AvroSchema } from './codecs/avro.codec.js';

// Avro codec and schema evolution
export { AvroField } from './decorators/avro-field.decorator.js';
export { IsBigInt } from './decorators/is-big-int.decorator.js';
export type { SchemaCodecName, SchemaCompatibility } from './interfaces/schema-options.interface.js';
export {
  AVRO_CONTENT_TYPE,
  CONTENT_TYPE_HEADER,
  SCHEMA_HEADER,
  avroSchemaOf,
  avroSourceOf,
  decodeAvro,
  encodeAvro,
  type AvroSource,
} from './avro/avro-wire.js';
export { deriveAvroSchema, avroFullName } from './avro/derive-avro-schema.js';
export { frameConfluent, readConfluentFrame, CONFLUENT_MAGIC_BYTE } from './avro/confluent-framing.js';
export { avroBreakingChanges } from './avro/avro-compatibility.js';
export { breakingChanges, type SchemaDocuments } from './registry/schema-compatibility.js';
export { describeBreakingChanges } from './json-schema/describe-differences.js';
export type { BreakingChange } from './json-schema/compare-schemas.js';

// Errors
export { SchemaError, type SchemaErrorOptions } from './errors/schema.error.js';
export { InvalidSchemaOptionsError } from './errors/invalid-schema-options.error.js';
export { InvalidSchemaRefError } from './errors/invalid-schema-ref.error.js';
export { DuplicateSchemaError } from './errors/duplicate-schema.error.js';
export { NotASchemaClassError } from './errors/not-a-schema-class.error.js';
export { UnknownSchemaError } from './errors/unknown-schema.error.js';
export { EnvelopeError } from './errors/envelope.error.js';
export { EnvelopeNotJsonError } from './errors/envelope-not-json.error.js';
export { EnvelopeNotObjectError } from './errors/envelope-not-object.error.js';
export { EnvelopeNotUtf8Error } from './errors/envelope-not-utf8.error.js';
export { EnvelopeTooDeepError } from './errors/envelope-too-deep.error.js';
export { EnvelopeMissingSchemaError } from './errors/envelope-missing-schema.error.js';
export { EnvelopeInvalidSchemaRefError } from './errors/envelope-invalid-schema-ref.error.js';
export { EnvelopeMissingDataError } from './errors/envelope-missing-data.error.js';
export { EnvelopeEncodeError } from './errors/envelope-encode.error.js';
export { MessageValidationError, type ValidationIssue } from './errors/message-validation.error.js';
export { CodecError, type CodecOperation } from './errors/codec.error.js';
export { AvroSchemaDerivationError } from './avro/avro-schema-derivation.error.js';
export { UnknownConfluentIdError } from './avro/unknown-confluent-id.error.js';
export { MissingAvscError } from './avro/missing-avsc.error.js';
export { DuplicateDefinitionNameError } from './json-schema/duplicate-definition-name.error.js';
