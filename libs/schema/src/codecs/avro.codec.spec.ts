import { describe, expect, it } from 'vitest';
import { CodecError } from '../errors/codec.error.js';
import type { Codec } from './codec.interface.js';
import { AvroCodec, type AvroSchema } from './avro.codec.js';

interface Content {
  id: string;
  version: number;
  tags: string[];
  author: { name: string; email: string | null };
}

const schema: AvroSchema = {
  type: 'record',
  name: 'Content',
  namespace: 'samsa.test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'version', type: 'int' },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    {
      name: 'author',
      type: {
        type: 'record',
        name: 'Author',
        fields: [
          { name: 'name', type: 'string' },
          { name: 'email', type: ['null', 'string'], default: null },
        ],
      },
    },
  ],
};

const content: Content = {
  id: 'c-1',
  version: 3,
  tags: ['a', 'b'],
  author: { name: 'Ada', email: 'ada@example.com' },
};

describe('AvroCodec', () => {
  it('round-trips records as schemaless Avro binary', () => {
    const codec: Codec<Content> = new AvroCodec<Content>(schema);
    const bytes = codec.encode(content);
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect(bytes.length).toBeLessThan(Buffer.byteLength(JSON.stringify(content)));
    // No container header or schema id: the first field starts at byte 0 (zig-zag length 3 → 6, then "c-1").
    expect(bytes[0]).toBe(6);
    expect(bytes.subarray(1, 4).toString('utf8')).toBe('c-1');
    expect(codec.decode(bytes)).toEqual(content);
    expect(codec.name).toBe('avro');
  });

  it('round-trips primitive schemas and nulls in unions', () => {
    const codec = new AvroCodec<string>('string', 'Name');
    expect(codec.decode(codec.encode('héllo'))).toBe('héllo');
    const record = new AvroCodec<Content>(schema);
    const withoutEmail = { ...content, author: { name: 'Bob', email: null } };
    expect(record.decode(record.encode(withoutEmail)).author.email).toBeNull();
  });

  it('names the schema from the record name, or from the given name', () => {
    expect(new AvroCodec(schema).schemaName).toBe('Content');
    expect(new AvroCodec(schema, 'Content:1').schemaName).toBe('Content:1');
    expect(new AvroCodec('long').schemaName).toBe('avro schema');
  });

  it('reports invalid values with the failing fields', () => {
    const codec = new AvroCodec<unknown>(schema, 'Content:1');
    try {
      codec.encode({ ...content, version: 'three', author: { name: 42, email: null } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CodecError);
      expect(error).toMatchObject({ codec: 'avro', schema: 'Content:1', operation: 'encode' });
      expect((error as CodecError).message).toBe(
        'avro codec for Content:1 cannot encode: invalid fields: ' +
          'version (expected int, got string), author.name (expected string, got number 42)',
      );
      expect((error as CodecError).cause).toBeInstanceOf(Error);
    }
  });

  it('wraps decode failures: truncated bytes and trailing data', () => {
    const codec = new AvroCodec<Content>(schema, 'Content:1');
    const bytes = codec.encode(content);
    expect(() => codec.decode(bytes.subarray(0, bytes.length - 3))).toThrow(CodecError);
    expect(() => codec.decode(bytes.subarray(0, bytes.length - 3))).toThrow(
      /^avro codec for Content:1 cannot decode: .*the bytes were not written with this Avro schema/,
    );
    expect(() => codec.decode(Buffer.concat([bytes, Buffer.from([1, 2])]))).toThrow(
      /cannot decode: trailing data/,
    );
  });

  it('wraps invalid schemas in a compile error', () => {
    expect(
      () => new AvroCodec({ type: 'record', name: 'Broken', fields: [{ name: 'x', type: 'nope' }] }),
    ).toThrow(/^avro codec for Broken cannot compile: .*fix the Avro schema/);
    expect(() => new AvroCodec({ type: 'record', name: 'Broken', fields: [] }, 'Broken:1')).not.toThrow();
  });
});
