import { describe, expect, it } from 'vitest';
import { EnvelopeEncodeError } from '../errors/envelope-encode.error.js';
import { EnvelopeInvalidSchemaRefError } from '../errors/envelope-invalid-schema-ref.error.js';
import { EnvelopeMissingDataError } from '../errors/envelope-missing-data.error.js';
import { EnvelopeMissingSchemaError } from '../errors/envelope-missing-schema.error.js';
import { EnvelopeNotJsonError } from '../errors/envelope-not-json.error.js';
import { EnvelopeNotObjectError } from '../errors/envelope-not-object.error.js';
import { EnvelopeNotUtf8Error } from '../errors/envelope-not-utf8.error.js';
import { EnvelopeTooDeepError } from '../errors/envelope-too-deep.error.js';
import { EnvelopeError } from '../errors/envelope.error.js';
import { InvalidSchemaRefError } from '../errors/invalid-schema-ref.error.js';
import { SchemaError } from '../errors/schema.error.js';
import { MAX_DATA_DEPTH } from './data-limits.js';
import { decodeEnvelope, encodeEnvelope } from './envelope.js';

function decodeError(bytes: Buffer | Uint8Array | string): EnvelopeError {
  try {
    decodeEnvelope(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvelopeError);
    expect(error).toBeInstanceOf(SchemaError);
    expect((error as EnvelopeError).retriable).toBe(false);
    return error as EnvelopeError;
  }
  throw new Error('decodeEnvelope did not throw');
}

describe('encodeEnvelope', () => {
  it('encodes {"schema":"Id:version","data":...} as UTF-8 JSON', () => {
    const bytes = encodeEnvelope({ id: 'Content', version: 1 }, { foo: 'bär' });
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect(bytes.toString('utf8')).toBe('{"schema":"Content:1","data":{"foo":"bär"}}');
  });

  it('accepts a reference string and any JSON value, including null', () => {
    expect(encodeEnvelope('Content:2', null).toString()).toBe('{"schema":"Content:2","data":null}');
    expect(encodeEnvelope('Content:2', [1, 'a']).toString()).toBe('{"schema":"Content:2","data":[1,"a"]}');
  });

  it('rejects invalid references', () => {
    expect(() => encodeEnvelope('Content', {})).toThrow(InvalidSchemaRefError);
    expect(() => encodeEnvelope({ id: 'Content', version: 0 }, {})).toThrow(InvalidSchemaRefError);
  });

  it.each([
    ['undefined', undefined, /data is undefined, which has no JSON form; send null/],
    ['a function', () => 1, /data is function/],
    ['a symbol', Symbol('x'), /data is symbol/],
    ['a BigInt', { n: 1n }, /not JSON-serialisable .*BigInt.*convert BigInts to strings/],
  ])('rejects %s with EnvelopeEncodeError', (_case, data, message) => {
    expect(() => encodeEnvelope('Content:1', data)).toThrow(EnvelopeEncodeError);
    expect(() => encodeEnvelope('Content:1', data)).toThrow(message);
  });

  it('rejects circular data and keeps the cause', () => {
    const data: Record<string, unknown> = {};
    data.self = data;
    try {
      encodeEnvelope('Content:1', data);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EnvelopeEncodeError);
      expect((error as EnvelopeEncodeError).cause).toBeInstanceOf(TypeError);
      expect(error).toMatchObject({ ref: 'Content:1' });
    }
  });
});

describe('decodeEnvelope', () => {
  it('decodes Buffers, Uint8Arrays and strings', () => {
    const json = '{"schema":"Content:1","data":{"foo":"bär"}}';
    const expected = { schema: { id: 'Content', version: 1 }, ref: 'Content:1', data: { foo: 'bär' } };
    expect(decodeEnvelope(Buffer.from(json))).toEqual(expected);
    expect(decodeEnvelope(new TextEncoder().encode(json))).toEqual(expected);
    expect(decodeEnvelope(json)).toEqual(expected);
  });

  it('decodes a Uint8Array view into a larger buffer', () => {
    const backing = Buffer.from(`xxxx{"schema":"A:1","data":1}yyyy`);
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 4, backing.length - 8);
    expect(decodeEnvelope(view)).toEqual({ schema: { id: 'A', version: 1 }, ref: 'A:1', data: 1 });
  });

  it('round-trips what encodeEnvelope produced', () => {
    const data = { text: 'hello', nested: { list: [1, 2, { deep: true }] }, nothing: null };
    expect(decodeEnvelope(encodeEnvelope('Content:7', data))).toEqual({
      schema: { id: 'Content', version: 7 },
      ref: 'Content:7',
      data,
    });
  });

  it('accepts null data and ignores extra envelope properties', () => {
    expect(decodeEnvelope('{"schema":"A:1","data":null,"meta":{"x":1}}')).toEqual({
      schema: { id: 'A', version: 1 },
      ref: 'A:1',
      data: null,
    });
  });

  describe('malformed envelopes', () => {
    it.each([
      ['empty bytes', ''],
      ['plain text', 'hello'],
      ['truncated JSON', '{"schema":"Content:1","data":{'],
      ['single quotes', "{'schema':'Content:1'}"],
      ['trailing garbage', '{"schema":"Content:1","data":1} x'],
    ])('%s → EnvelopeNotJsonError', (_case, text) => {
      const error = decodeError(Buffer.from(text));
      expect(error).toBeInstanceOf(EnvelopeNotJsonError);
      expect(error.cause).toBeInstanceOf(SyntaxError);
      expect(error.message).toMatch(/Message is not a JSON envelope .*use encodeEnvelope\(\)/);
      expect((error as EnvelopeNotJsonError).preview).toBe(text.slice(0, 60));
    });

    it('keeps only a short preview of large non-JSON messages', () => {
      const error = decodeError('x'.repeat(10_000)) as EnvelopeNotJsonError;
      expect(error.preview).toHaveLength(60);
    });

    it.each([
      ['an array', '[{"schema":"Content:1","data":{}}]', 'array'],
      ['null', 'null', 'null'],
      ['a number', '42', 'number'],
      ['a string', '"Content:1"', 'string'],
      ['a boolean', 'true', 'boolean'],
    ])('%s → EnvelopeNotObjectError', (_case, text, received) => {
      const error = decodeError(text);
      expect(error).toBeInstanceOf(EnvelopeNotObjectError);
      expect(error).toMatchObject({ received });
      expect(error.message).toContain(
        `must be a JSON object {"schema":"Id:version","data":...}, got ${received}`,
      );
    });

    it.each([
      ['an empty object', '{}'],
      ['data only', '{"data":{"foo":1}}'],
      ['a misspelt key', '{"Schema":"Content:1","data":{}}'],
    ])('%s → EnvelopeMissingSchemaError', (_case, text) => {
      const error = decodeError(text);
      expect(error).toBeInstanceOf(EnvelopeMissingSchemaError);
      expect(error.message).toContain('has no "schema" property');
    });

    it.each([
      ['a reference without version', '{"schema":"Content","data":{}}', 'Content'],
      ['version 0', '{"schema":"Content:0","data":{}}', 'Content:0'],
      ['an empty string', '{"schema":"","data":{}}', ''],
      ['a number', '{"schema":1,"data":{}}', 1],
      ['null', '{"schema":null,"data":{}}', null],
      ['an object', '{"schema":{"id":"Content","version":1},"data":{}}', { id: 'Content', version: 1 }],
    ])('%s → EnvelopeInvalidSchemaRefError', (_case, text, value) => {
      const error = decodeError(text);
      expect(error).toBeInstanceOf(EnvelopeInvalidSchemaRefError);
      expect(error.cause).toBeInstanceOf(InvalidSchemaRefError);
      expect((error as EnvelopeInvalidSchemaRefError).value).toEqual(value);
      expect(error.message).toMatch(
        /^Message envelope has an invalid "schema" property\. Invalid schema reference/,
      );
    });

    it('no data → EnvelopeMissingDataError naming the schema', () => {
      const error = decodeError('{"schema":"Content:1"}');
      expect(error).toBeInstanceOf(EnvelopeMissingDataError);
      expect(error).toMatchObject({ ref: 'Content:1' });
      expect(error.message).toContain('Message envelope for Content:1 has no "data" property');
    });

    it('an inherited data property does not count', () => {
      const error = decodeError('{"schema":"Content:1","__proto__":{"data":1}}');
      expect(error).toBeInstanceOf(EnvelopeMissingDataError);
      expect(({} as Record<string, unknown>).data).toBeUndefined();
    });
  });

  describe('strict UTF-8', () => {
    const envelopeAround = (inner: number[]) =>
      Buffer.concat([Buffer.from('{"schema":"A:1","data":"'), Buffer.from(inner), Buffer.from('"}')]);

    it.each([
      ['a stray continuation byte', [0x80]],
      ['0xFF', [0xff]],
      ['an overlong encoding of "/"', [0xc0, 0xaf]],
      ['an encoded surrogate half', [0xed, 0xa0, 0x80]],
      ['a truncated sequence', [0xe2, 0x82]],
    ])('%s → EnvelopeNotUtf8Error, never U+FFFD in the data', (_case, bytes) => {
      const value = envelopeAround(bytes);
      const error = decodeError(value);
      expect(error).toBeInstanceOf(EnvelopeNotUtf8Error);
      expect(error).toMatchObject({ byteLength: value.length });
      expect(error.message).toMatch(/^Message is not valid UTF-8 \(\d+ bytes\).*encoded as UTF-8 JSON/);
    });

    it('decodes every valid multi-byte sequence as before', () => {
      const text = 'ä € 𝄞 \u{10FFFF}';
      expect(decodeEnvelope(encodeEnvelope('A:1', text)).data).toBe(text);
    });
  });

  describe('depth limit', () => {
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

    it(`accepts data ${MAX_DATA_DEPTH} levels deep and refuses one more`, () => {
      expect(MAX_DATA_DEPTH).toBe(128);
      expect(() => decodeEnvelope(`{"schema":"A:1","data":${nested(MAX_DATA_DEPTH)}}`)).not.toThrow();
      const error = decodeError(`{"schema":"A:1","data":${nested(MAX_DATA_DEPTH + 1)}}`);
      expect(error).toBeInstanceOf(EnvelopeTooDeepError);
      expect(error).toMatchObject({ ref: 'A:1', limit: MAX_DATA_DEPTH });
      expect(error.message).toBe(
        'Message envelope for A:1 nests its data deeper than 128 levels of arrays and objects. ' +
          'Producers must send flatter data (at most 128 levels).',
      );
    });

    it('refuses 100 000 nested arrays and objects with the typed error, not a RangeError', () => {
      expect(decodeError(`{"schema":"A:1","data":${nested(100_000)}}`)).toBeInstanceOf(EnvelopeTooDeepError);
      const objects = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
      expect(decodeError(`{"schema":"A:1","data":${objects}}`)).toBeInstanceOf(EnvelopeTooDeepError);
    });

    it('counts depth inside arrays of objects and after shallow siblings', () => {
      const deep = `{"x":[1,{"y":${nested(MAX_DATA_DEPTH - 2)}}]}`;
      expect(() => decodeEnvelope(`{"schema":"A:1","data":[{},${deep}]}`)).toThrow(EnvelopeTooDeepError);
    });
  });

  describe('unsafe keys', () => {
    it('removes __proto__, constructor and prototype keys at any depth; Object.prototype stays clean', () => {
      const text =
        '{"schema":"A:1","data":{"ok":1,"__proto__":{"polluted":true},' +
        '"list":[{"constructor":{"prototype":{"polluted":true}},"keep":2}]}}';
      const { data } = decodeEnvelope(text);
      expect(data).toEqual({ ok: 1, list: [{ keep: 2 }] });
      expect(Object.keys(data as object)).toEqual(['ok', 'list']);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getPrototypeOf(Object.assign({}, data))).toBe(Object.prototype);
    });

    it('returns clean data as parsed, without a copy', () => {
      const text = '{"schema":"A:1","data":{"nested":{"list":[1,2]}}}';
      expect(decodeEnvelope(text).data).toEqual({ nested: { list: [1, 2] } });
    });
  });
});
