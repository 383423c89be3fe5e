import { describe, expect, it } from 'vitest';
import { assertKey, compareKeys, inRange, prefixEnd, toKeyRange } from './keys.js';

const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('compareKeys', () => {
  it('orders keys as their UTF-8 bytes, surrogate pairs above U+E000..U+FFFF', () => {
    const keys = ['b', '', 'a', 'ab', 'B', 'é', '\uffff', '\ue000', '😀', 'z', '\u{10ffff}', 'a\u0001'];
    expect([...keys].sort(compareKeys)).toEqual([...keys].sort(byUtf8));
    expect(compareKeys('\uffff', '😀')).toBeLessThan(0);
    expect(compareKeys('ab', 'ab')).toBe(0);
  });

  it('agrees with byte order on random strings', () => {
    const alphabet = ['a', 'b', 'é', '\u07ff', '\u0800', '\ud7ff', '\ue000', '\uffff', '😀', '\u{10ffff}'];
    const random = () =>
      Array.from(
        { length: Math.floor(Math.random() * 4) },
        () => alphabet[Math.floor(Math.random() * 10)],
      ).join('');
    for (let i = 0; i < 2_000; i++) {
      const [a, b] = [random(), random()];
      expect(Math.sign(compareKeys(a, b))).toBe(Math.sign(byUtf8(a, b)));
    }
  });
});

describe('prefixEnd', () => {
  it('is the next string after every key with the prefix', () => {
    expect(prefixEnd('ab')).toBe('ac');
    expect(prefixEnd('a\u{10ffff}')).toBe('b');
    expect(prefixEnd('\ud7ff')).toBe('\ue000');
    expect(prefixEnd('x😀')).toBe('x😁');
  });

  it('is undefined when no string follows', () => {
    expect(prefixEnd('')).toBeUndefined();
    expect(prefixEnd('\u{10ffff}\u{10ffff}')).toBeUndefined();
  });
});

describe('toKeyRange', () => {
  it('keeps the tightest bound of each side', () => {
    expect(toKeyRange({ gt: 'b', gte: 'b', lt: 'x', lte: 'w' })).toEqual({
      lower: { key: 'b', inclusive: false },
      upper: { key: 'w', inclusive: true },
    });
    expect(toKeyRange({ prefix: 'ab', gte: 'a', lte: 'b' })).toEqual({
      lower: { key: 'ab', inclusive: true },
      upper: { key: 'ac', inclusive: false },
    });
    expect(toKeyRange({})).toEqual({ lower: undefined, upper: undefined });
  });

  it('decides membership like the database does', () => {
    const range = toKeyRange({ prefix: 'user:', gt: 'user:1' });
    expect(
      ['user:', 'user:1', 'user:10', 'user:2', 'user;', 'users'].filter((key) => inRange(key, range)),
    ).toEqual(['user:10', 'user:2']);
  });
});

describe('assertKey', () => {
  it('accepts any well-formed string', () => {
    expect(() => assertKey('')).not.toThrow();
    expect(() => assertKey('clé 😀')).not.toThrow();
  });

  it.each([[42], [undefined], ['a\0b'], ['\ud800'], ['x\udfff']])('rejects %j', (key) => {
    expect(() => assertKey(key)).toThrow(/State store keys are strings/);
  });
});
