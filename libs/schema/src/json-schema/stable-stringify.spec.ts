import { describe, expect, it } from 'vitest';
import { sortKeysDeep, stableStringify } from './stable-stringify.js';

describe('stableStringify', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(stableStringify({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('gives the same string for objects built in different orders', () => {
    const first = { x: 1, y: { p: true, q: 'q' } };
    const second = { y: { q: 'q', p: true }, x: 1 };
    expect(stableStringify(first)).toBe(stableStringify(second));
    expect(JSON.stringify(first)).not.toBe(JSON.stringify(second));
  });

  it('follows JSON.stringify for primitives, undefined properties, toJSON and indentation', () => {
    expect(stableStringify('text')).toBe('"text"');
    expect(stableStringify({ b: undefined, a: 1 })).toBe('{"a":1}');
    expect(stableStringify({ at: new Date(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
    expect(stableStringify({ b: 1, a: 2 }, 2)).toBe('{\n  "a": 2,\n  "b": 1\n}');
  });

  it('keeps a "__proto__" key as data', () => {
    const value = JSON.parse('{"z":1,"__proto__":{"x":1}}');
    const sorted = sortKeysDeep(value);
    expect(Object.getPrototypeOf(sorted)).toBe(Object.prototype);
    expect(stableStringify(value)).toBe('{"__proto__":{"x":1},"z":1}');
  });
});
