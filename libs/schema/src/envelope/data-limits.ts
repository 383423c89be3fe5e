import { UNSAFE_KEYS } from '../constants.js';

/**
 * Deepest nesting of arrays and objects accepted in an envelope's data (serde_json's default too). Far
 * beyond real messages, and far below the depth at which recursive steps (class-transformer,
 * class-validator, unsafe-key stripping) exhaust the stack.
 */
export const MAX_DATA_DEPTH = 128;

/** What one walk over parsed JSON found: `unsafe-keys` means a `__proto__`, `constructor` or `prototype` key. */
export type DataShape = 'clean' | 'unsafe-keys' | 'too-deep';

// Bit flags inside the walk: no string compares per node.
const UNSAFE = 1;
const TOO_DEEP = 2;

/**
 * Walks data that `JSON.parse` produced (plain objects, arrays, primitives) once, stopping at the first
 * level past `limit`. Recursion is safe here: it never goes deeper than `limit`.
 */
export function inspectData(value: unknown, limit = MAX_DATA_DEPTH): DataShape {
  if (typeof value !== 'object' || value === null) return 'clean';
  const found = walk(value, 1, limit);
  return found & TOO_DEEP ? 'too-deep' : found & UNSAFE ? 'unsafe-keys' : 'clean';
}

function walk(value: object, depth: number, limit: number): number {
  if (depth > limit) return TOO_DEEP;
  let found = 0;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      if (typeof item === 'object' && item !== null) {
        found |= walk(item, depth + 1, limit);
        if (found & TOO_DEEP) return found;
      }
    }
    return found;
  }
  const record = value as Record<string, unknown>;
  // for...in allocates no key array; JSON.parse objects have no enumerable inherited keys.
  for (const key in record) {
    if (UNSAFE_KEYS.has(key)) found |= UNSAFE;
    const item = record[key];
    if (typeof item === 'object' && item !== null) {
      found |= walk(item, depth + 1, limit);
      if (found & TOO_DEEP) return found;
    }
  }
  return found;
}
