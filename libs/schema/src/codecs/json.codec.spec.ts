import { describe, expect, it } from 'vitest';
import { CodecError } from '../errors/codec.error.js';
import { SchemaError } from '../errors/schema.error.js';
import type { Codec } from './codec.interface.js';
import { JsonCodec } from './json.codec.js';

describe('JsonCodec', () => {
  it('round-trips JSON values as UTF-8', () => {
    const codec: Codec<{ text: string; list: number[]; nested: { ok: boolean } | null }> = new JsonCodec(
      'Note:1',
    );
    const value = { text: 'héllo ✓', list: [1, 2, 3], nested: { ok: true } };
    const bytes = codec.encode(value);
    expect(bytes.toString('utf8')).toBe('{"text":"héllo ✓","list":[1,2,3],"nested":{"ok":true}}');
    expect(codec.decode(bytes)).toEqual(value);
    expect(codec.name).toBe('json');
  });

  it('round-trips null and primitives', () => {
    const codec = new JsonCodec();
    for (const value of [null, 0, 'text', false, []])
      expect(codec.decode(codec.encode(value))).toEqual(value);
  });

  it('wraps decode failures in a CodecError naming the codec and schema', () => {
    const codec = new JsonCodec('Note:1');
    try {
      codec.decode(Buffer.from('{"text":'));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CodecError);
      expect(error).toBeInstanceOf(SchemaError);
      expect(error).toMatchObject({ codec: 'json', schema: 'Note:1', operation: 'decode', retriable: false });
      expect((error as CodecError).cause).toBeInstanceOf(SyntaxError);
      expect((error as CodecError).message).toMatch(/^json codec for Note:1 cannot decode: .*not UTF-8 JSON/);
    }
  });

  it('wraps encode failures (BigInt, cycles) and refuses values without a JSON form', () => {
    const codec = new JsonCodec<unknown>('Note:1');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => codec.encode({ n: 1n })).toThrow(/json codec for Note:1 cannot encode: .*BigInt/);
    expect(() => codec.encode(cyclic)).toThrow(CodecError);
    expect(() => codec.encode(undefined)).toThrow(
      'json codec for Note:1 cannot encode: a undefined has no JSON form',
    );
    expect(() => codec.encode(() => 1)).toThrow(/a function has no JSON form/);
  });

  it('names an unknown schema when none is given', () => {
    expect(() => new JsonCodec().decode(Buffer.from('x'))).toThrow(
      /^json codec for unknown schema cannot decode/,
    );
  });
});
