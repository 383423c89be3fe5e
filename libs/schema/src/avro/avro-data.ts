/**
 * What avsc writes: the data as it is, except that `undefined` becomes `null` (an optional field's union takes
 * `null`, never a missing value). Nested objects and arrays are copied; the input is not mutated.
 */
export function toAvroData(value: unknown): unknown {
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(toAvroData);
  if (!isRecordLike(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = toAvroData(item);
  return copy;
}

/** Plain data from what avsc read: its record instances become plain objects; Dates, Buffers and bigints stay. */
export function fromAvroData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromAvroData);
  if (!isRecordLike(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = fromAvroData(item);
  return copy;
}

function isRecordLike(value: unknown): value is object {
  return (
    typeof value === 'object' && value !== null && !(value instanceof Date) && !ArrayBuffer.isView(value)
  );
}
