import { UNSAFE_KEYS } from '../constants.js';

/**
 * Returns `value` without `__proto__`, `constructor` and `prototype` keys, at any depth of plain objects and
 * arrays, so they can never reach an object's prototype chain. Clean subtrees are returned as they are (no
 * copy); a subtree with an unsafe key is copied. The input is never mutated. Other objects (Dates, Buffers,
 * class instances) are returned untouched.
 */
export function stripUnsafeKeys<T>(value: T): T {
  return strip(value, new WeakSet()) as T;
}

function strip(value: unknown, visiting: WeakSet<object>): unknown {
  if (typeof value !== 'object' || value === null || visiting.has(value)) return value;
  if (Array.isArray(value)) {
    visiting.add(value);
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      const cleaned = strip(item, visiting);
      if (cleaned !== item) {
        copy ??= value.slice();
        copy[index] = cleaned;
      }
    }
    visiting.delete(value);
    return copy ?? value;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  visiting.add(value);
  const source = value as Record<string, unknown>;
  const keys = Object.keys(source);
  let copy: Record<string, unknown> | undefined;
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index];
    if (UNSAFE_KEYS.has(key)) {
      copy ??= copyKeys(source, keys, index);
      continue;
    }
    const item = source[key];
    const cleaned = strip(item, visiting);
    if (copy !== undefined) {
      copy[key] = cleaned;
    } else if (cleaned !== item) {
      copy = copyKeys(source, keys, index);
      copy[key] = cleaned;
    }
  }
  visiting.delete(value);
  return copy ?? value;
}

/** A plain-object copy of the first `count` keys (all already clean), skipping unsafe ones. */
function copyKeys(source: Record<string, unknown>, keys: string[], count: number): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (let index = 0; index < count; index++) {
    const key = keys[index];
    if (!UNSAFE_KEYS.has(key)) copy[key] = source[key];
  }
  return copy;
}
