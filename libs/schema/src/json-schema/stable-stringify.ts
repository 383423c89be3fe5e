/**
 * `JSON.stringify` with object keys sorted recursively, so equal values always give byte-identical strings.
 * Array order is kept. `space` is passed to `JSON.stringify`.
 */
export function stableStringify(value: unknown, space?: string | number): string {
  return JSON.stringify(sortKeysDeep(value), null, space);
}

/** A deep copy of JSON data with the keys of every object sorted (`toJSON()` is applied, as JSON.stringify does). */
export function sortKeysDeep<T>(value: T): T {
  return sort(value) as T;
}

function sort(input: unknown): unknown {
  const value = hasToJson(input) ? input.toJSON() : input;
  if (Array.isArray(value)) return value.map(sort);
  if (typeof value !== 'object' || value === null) return value;
  const source = value as Record<string, unknown>;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(source).sort()) {
    Object.defineProperty(sorted, key, {
      value: sort(source[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return sorted;
}

function hasToJson(value: unknown): value is { toJSON(): unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  );
}
