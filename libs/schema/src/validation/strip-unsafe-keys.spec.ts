import { describe, expect, it } from 'vitest';
import { stripUnsafeKeys } from './strip-unsafe-keys.js';

describe('stripUnsafeKeys', () => {
  it('returns clean data as it is, without copying', () => {
    const data = { a: 1, b: { c: [1, { d: 2 }] } };
    expect(stripUnsafeKeys(data)).toBe(data);
  });

  it('copies only the branches that contain unsafe keys', () => {
    const clean = { x: 1 };
    const data = JSON.parse(
      '{"clean":{"x":1},"dirty":{"__proto__":{"p":1},"y":2},"list":[{"constructor":1,"z":3}]}',
    );
    data.clean = clean;
    const result = stripUnsafeKeys(data);

    expect(result).not.toBe(data);
    expect(result.clean).toBe(clean);
    expect(result).toEqual({ clean: { x: 1 }, dirty: { y: 2 }, list: [{ z: 3 }] });
    expect(Object.keys(result.dirty)).toEqual(['y']);
    expect(Object.hasOwn(data.dirty, '__proto__')).toBe(true);
  });

  it('removes every unsafe key, keeping the order of the others', () => {
    const data = JSON.parse('{"a":1,"__proto__":{},"b":2,"constructor":{},"prototype":{},"c":3}');
    const result = stripUnsafeKeys(data);
    expect(Object.keys(result)).toEqual(['a', 'b', 'c']);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
  });

  it('leaves non-plain objects and primitives untouched', () => {
    const date = new Date(0);
    const buffer = Buffer.from('x');
    expect(stripUnsafeKeys(date)).toBe(date);
    expect(stripUnsafeKeys({ date, buffer }).date).toBe(date);
    expect(stripUnsafeKeys('text')).toBe('text');
    expect(stripUnsafeKeys(null)).toBeNull();
  });

  it('handles cycles', () => {
    const data: Record<string, unknown> = { a: 1 };
    data.self = data;
    expect(stripUnsafeKeys(data)).toBe(data);
  });
});
