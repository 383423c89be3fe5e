import { describe, expect, it } from 'vitest';
import * as schema from './index.js';

describe('@samsa/schema public API', () => {
  it('exports exactly the curated runtime values', () => {
    expect(Object.keys(schema).sort()).toEqual(
      [
        'AVRO_CONTENT_TYPE',
        'AvroCodec',
        'AvroField',
        'AvroSchemaDerivationError',
        'CONFLUENT_MAGIC_BYTE',
        'CONTENT_TYPE_HEADER',
        'CodecError',
        'DuplicateDefinitionNameError',
        'DuplicateSchemaError',
        'EnvelopeEncodeError',
        'EnvelopeError',
        'EnvelopeInvalidSchemaRefError',
        'EnvelopeMissingDataError',
        'EnvelopeMissingSchemaError',
        'EnvelopeNotJsonError',
        'EnvelopeNotObjectError',
        'EnvelopeNotUtf8Error',
        'EnvelopeTooDeepError',
        'InvalidSchemaOptionsError',
        'InvalidSchemaRefError',
        'IsBigInt',
        'JSONSchema',
        'JSON_SCHEMA_GENERATION',
        'JSON_SCHEMA_GENERATION_COMMENT',
        'JsonCodec',
        'MAX_DATA_DEPTH',
        'MessageCodec',
        'MessageValidationError',
        'MissingAvscError',
        'NotASchemaClassError',
        'SCHEMA_HEADER',
        'Schema',
        'SchemaError',
        'SchemaRegistry',
        'UnknownConfluentIdError',
        'UnknownSchemaError',
        'avroBreakingChanges',
        'avroFullName',
        'avroSchemaOf',
        'avroSourceOf',
        'breakingChanges',
        'compareSchemas',
        'decodeAvro',
        'decodeEnvelope',
        'deriveAvroSchema',
        'describeBreakingChanges',
        'describeDifferences',
        'encodeAvro',
        'encodeEnvelope',
        'formatSchemaRef',
        'frameConfluent',
        'getSchemaMetadata',
        'isSchemaClass',
        'parseSchemaRef',
        'readConfluentFrame',
        'stableStringify',
        'toJsonSchema',
        'validateMessage',
        'validateMessageSync',
      ].sort(),
    );
  });

  it('roots every error in SchemaError, and every envelope error in EnvelopeError', () => {
    const errors = Object.entries(schema).filter(([name]) => name.endsWith('Error'));
    const extendsClass = (value: unknown, base: abstract new (...args: never[]) => unknown) =>
      value === base || (value as { prototype: unknown }).prototype instanceof base;
    expect(errors.length).toBeGreaterThan(10);
    for (const [name, value] of errors) {
      expect(extendsClass(value, schema.SchemaError), name).toBe(true);
      expect(extendsClass(value, schema.EnvelopeError), name).toBe(name.startsWith('Envelope'));
    }
    expect(extendsClass(schema.SchemaError, Error)).toBe(true);
  });
});
