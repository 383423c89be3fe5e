import { IsString } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { SCHEMA_METADATA } from '../constants.js';
import { InvalidSchemaOptionsError } from '../errors/invalid-schema-options.error.js';
import { SchemaError } from '../errors/schema.error.js';
import { getSchemaMetadata, isSchemaClass } from '../metadata/schema-metadata.accessor.js';
import { Schema } from './schema.decorator.js';

describe('@Schema', () => {
  it('stores id, version, retention and streams under the namespaced key', () => {
    @Schema('Content', { version: 1, retention: 24 * 60 * 60, streams: ['content.edited'] })
    class ContentMessage {
      @IsString() foo!: string;
    }

    expect(SCHEMA_METADATA).toBe('samsa:schema');
    expect(Reflect.getOwnMetadata('samsa:schema', ContentMessage)).toEqual({
      id: 'Content',
      version: 1,
      retention: 86_400,
      streams: ['content.edited'],
      codec: 'json',
      compatibility: 'backward',
    });
    expect(getSchemaMetadata(ContentMessage)).toEqual({
      id: 'Content',
      version: 1,
      retention: 86_400,
      streams: ['content.edited'],
      codec: 'json',
      compatibility: 'backward',
    });
    expect(isSchemaClass(ContentMessage)).toBe(true);
  });

  it('defaults the id to the class name, the version to 1 and streams to none', () => {
    @Schema()
    class ArticlePublished {}
    @Schema({ version: 3 })
    class ArticleDeleted {}

    expect(getSchemaMetadata(ArticlePublished)).toEqual({
      id: 'ArticlePublished',
      version: 1,
      streams: [],
      codec: 'json',
      compatibility: 'backward',
    });
    expect(getSchemaMetadata(ArticleDeleted)).toMatchObject({
      id: 'ArticleDeleted',
      version: 3,
      streams: [],
    });
    expect(getSchemaMetadata(ArticlePublished)).not.toHaveProperty('retention');
  });

  it('copies and freezes the options it is given', () => {
    const streams = ['a.topic'];
    const options = { version: 2, streams };
    @Schema('Copied', options)
    class Copied {}
    streams.push('b.topic');

    const metadata = getSchemaMetadata(Copied);
    expect(metadata?.streams).toEqual(['a.topic']);
    expect(Object.isFrozen(metadata)).toBe(true);
    expect(Object.isFrozen(metadata?.streams)).toBe(true);
    expect(options).toEqual({ version: 2, streams: ['a.topic', 'b.topic'] });
  });

  it('returns undefined for classes and values that are not schemas', () => {
    class Plain {}
    expect(getSchemaMetadata(Plain)).toBeUndefined();
    expect(getSchemaMetadata(undefined)).toBeUndefined();
    expect(getSchemaMetadata({})).toBeUndefined();
    expect(isSchemaClass(Plain)).toBe(false);
  });

  it('does not let a subclass inherit its parent schema', () => {
    @Schema('Parent')
    class Parent {}
    class Child extends Parent {}
    @Schema('Parent', { version: 2 })
    class ParentV2 extends Parent {}

    expect(getSchemaMetadata(Child)).toBeUndefined();
    expect(getSchemaMetadata(ParentV2)).toMatchObject({ id: 'Parent', version: 2 });
    expect(getSchemaMetadata(Parent)).toMatchObject({ id: 'Parent', version: 1 });
  });

  it.each([
    ['an empty id', '', {}, /id "" must be a non-empty string/],
    ['an id with a colon', 'Content:1', {}, /id "Content:1" must be/],
    ['an id with a space', 'My Schema', {}, /id "My Schema" must be/],
    ['version 0', 'V', { version: 0 }, /version 0 must be a positive integer/],
    ['a negative version', 'V', { version: -1 }, /version -1 must be a positive integer/],
    ['a fractional version', 'V', { version: 1.5 }, /version 1.5 must be a positive integer/],
    ['a string version', 'V', { version: '2' as unknown as number }, /version 2 must be a positive integer/],
    ['a zero retention', 'R', { retention: 0 }, /retention 0 must be a positive integer number of seconds/],
    ['a fractional retention', 'R', { retention: 0.5 }, /retention 0.5 must be/],
    ['an empty stream name', 'S', { streams: [''] }, /streams must be an array of non-empty/],
    ['streams that are not an array', 'S', { streams: 'a.topic' as unknown as string[] }, /streams must be/],
    ['an unknown codec', 'C', { codec: 'protobuf' as 'avro' }, /codec "protobuf" must be "json" or "avro"/],
    [
      'an unknown compatibility',
      'C',
      { compatibility: 'transitive' as 'full' },
      /compatibility "transitive" must be/,
    ],
    ['a confluentId on JSON', 'C', { codec: 'json', confluentId: 1 } as const, /are for Avro schemas/],
    ['a negative confluentId', 'C', { codec: 'avro', confluentId: -1 } as const, /confluentId -1 must be/],
    [
      'a fractional confluentId',
      'C',
      { codec: 'avro', confluentId: 1.5 } as const,
      /confluentId 1.5 must be/,
    ],
    ['an avroSchema that is not a record', 'A', { avroSchema: 'string' }, /must be an Avro record schema/],
    [
      'an invalid avroSchema',
      'A',
      { avroSchema: { type: 'record', name: 'A', fields: [{ name: 'x', type: 'strin' }] } as never },
      /avroSchema is not a valid Avro schema: .*strin/,
    ],
  ])('rejects %s when the class is decorated', (_case, id, options, message) => {
    const decorate = () => {
      @Schema(id, options)
      class Invalid {}
      return Invalid;
    };
    expect(decorate).toThrow(InvalidSchemaOptionsError);
    expect(decorate).toThrow(message);
    expect(decorate).toThrow(/Invalid @Schema\(\) on class Invalid/);
  });

  it('records the wire options: codec avro implied by avroSchema, confluentId, compatibility', () => {
    const avroSchema = { type: 'record', name: 'Paid', fields: [{ name: 'id', type: 'long' }] } as const;
    @Schema('Paid', { avroSchema: avroSchema as never, confluentId: 42, compatibility: 'full' })
    class Paid {}
    expect(getSchemaMetadata(Paid)).toMatchObject({
      codec: 'avro',
      avroSchema,
      confluentId: 42,
      compatibility: 'full',
    });
    expect(getSchemaMetadata(Paid)?.avroSchema).not.toBe(avroSchema);
  });

  it('rejects a class decorated twice', () => {
    const decorate = () => {
      @Schema('Twice', { version: 2 })
      @Schema('Twice', { version: 1 })
      class Twice {}
      return Twice;
    };
    expect(decorate).toThrow(/decorated with @Schema\(\) twice/);
  });

  it('throws errors of the SchemaError hierarchy, not retriable', () => {
    try {
      Schema('bad id')(class Bad {});
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SchemaError);
      expect(error).toMatchObject({ name: 'InvalidSchemaOptionsError', retriable: false, className: 'Bad' });
    }
  });
});
