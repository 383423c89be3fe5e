import { describe, expect, it } from 'vitest';
import * as schema from './index.js';

describe('@samsa/schema public API', () => {
  it('exports exactly the curated runtime values', () => {
    expect(Object.keys(schema).sort()).toEqual(
      [
        'AvroCodec',
        'CodecError',
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
        'JsonCodec',
        'MAX_DATA_DEPTH',
        'MessageCodec',
        'MessageValidationError',
        'NotASchemaClassError',
        'Schema',
        'SchemaError',
        'SchemaRegistry',
        'UnknownSchemaError',
        'compareSchemas',
        'decodeEnvelope',
        'describeDifferences',
        'encodeEnvelope',
        'formatSchemaRef',
        'getSchemaMetadata',
        'isSchemaClass',
        'parseSchemaRef',
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
