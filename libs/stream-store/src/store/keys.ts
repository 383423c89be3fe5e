import type { EntriesOptions } from './state-store.interface.js';

/** One end of a key range. */
export interface KeyBound {
  readonly key: string;
  readonly inclusive: boolean;
}

/** The keys a scan covers: every option of `entries()` folded into at most two bounds. */
export interface KeyRange {
  readonly lower?: KeyBound;
  readonly upper?: KeyBound;
}

// Lone surrogates would be stored as U+FFFD and read back as another key; Postgres rejects NUL.
const MALFORMED = /[\0\p{Cs}]/u;

/** Whether `key` can be a state store key. */
export function isStoreKey(key: unknown): key is string {
  return typeof key === 'string' && !MALFORMED.test(key);
}

export function assertKey(key: unknown): asserts key is string {
  if (!isStoreKey(key)) {
    const got = typeof key === 'string' ? JSON.stringify(key) : typeof key;
    throw new TypeError(
      `State store keys are strings without NUL characters or lone surrogates; got ${got}.`,
    );
  }
}

/**
 * Orders keys as their UTF-8 bytes (= code points), the order of SQLite's BINARY collation and of
 * Postgres' `COLLATE "C"`. UTF-16 code units differ only in placing surrogate pairs below U+E000.
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return rank(x) - rank(y);
  }
  return a.length - b.length;
}

const rank = (unit: number) => (unit < 0xd800 ? unit : unit < 0xe000 ? unit + 0x2000 : unit - 0x800);

/** The smallest key above every key that starts with `prefix`; undefined when there is none. */
export function prefixEnd(prefix: string): string | undefined {
  const chars = [...prefix];
  for (let last = chars.length - 1; last >= 0; last--) {
    const next = (chars[last].codePointAt(0) ?? 0) + 1;
    if (next > 0x10ffff) continue;
    // No key holds a surrogate code point: the next character after U+D7FF is U+E000.
    return chars.slice(0, last).join('') + String.fromCodePoint(next === 0xd800 ? 0xe000 : next);
  }
  return undefined;
}

/** Folds prefix and gt/gte/lt/lte into one lower and one upper bound, the tightest of each. */
export function toKeyRange(options: EntriesOptions): KeyRange {
  for (const name of ['prefix', 'gt', 'gte', 'lt', 'lte'] as const) {
    if (options[name] !== undefined) assertKey(options[name]);
  }
  const { prefix, gt, gte, lt, lte } = options;
  const end = prefix === undefined ? undefined : prefixEnd(prefix);
  let lower: KeyBound | undefined;
  let upper: KeyBound | undefined;
  for (const candidate of [bound(prefix, true), bound(gt, false), bound(gte, true)]) {
    if (candidate && (!lower || narrows(candidate, lower, 1))) lower = candidate;
  }
  for (const candidate of [bound(end, false), bound(lt, false), bound(lte, true)]) {
    if (candidate && (!upper || narrows(candidate, upper, -1))) upper = candidate;
  }
  return { lower, upper };
}

/** Whether `key` lies within `range`. */
export function inRange(key: string, { lower, upper }: KeyRange): boolean {
  if (lower && compareKeys(key, lower.key) < (lower.inclusive ? 0 : 1)) return false;
  if (upper && compareKeys(key, upper.key) > (upper.inclusive ? 0 : -1)) return false;
  return true;
}

function bound(key: string | undefined, inclusive: boolean): KeyBound | undefined {
  return key === undefined ? undefined : { key, inclusive };
}

/** Whether `a` leaves fewer keys than `b`: further up for a lower bound (side 1), down for an upper one. */
function narrows(a: KeyBound, b: KeyBound, side: 1 | -1): boolean {
  const order = compareKeys(a.key, b.key) * side;
  return order > 0 || (order === 0 && !a.inclusive);
}
