import type avro from 'avsc';
import { samsaLogicalTypes } from './avro-logical-types.js';
import { avsc, type Avsc } from './avsc.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The `long` types samsa maps, built on first use (avsc loads only when Avro is used). */
interface Longs {
  /** Avro `long` ↔ `bigint`: all 64 bits exact. Writing also takes a safe-integer `number`. */
  readonly bigint: avro.Type;
  /** avsc's own `long`: a `number`, and an error rather than a rounded value past 2^53. */
  readonly number: avro.Type;
}

let longs: Longs | undefined;

function buildLongs({ types, Type }: Avsc): Longs {
  const bigint = types.LongType.__with({
    fromBuffer: (buffer: Buffer) => buffer.readBigInt64LE(),
    toBuffer: (value: bigint | number) => {
      const buffer = Buffer.alloc(8);
      buffer.writeBigInt64LE(BigInt(value));
      return buffer;
    },
    fromJSON: (value: unknown) => BigInt(value as number),
    toJSON: (value: bigint) => Number(value),
    isValid: (value: unknown) =>
      (typeof value === 'bigint' && value >= INT64_MIN && value <= INT64_MAX) ||
      (typeof value === 'number' && Number.isSafeInteger(value)),
    compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
  });
  return { bigint: bigint as unknown as avro.Type, number: Type.forSchema('long') };
}

/**
 * Compiles an Avro schema with samsa's mappings: `long` ↔ `bigint`, except the `long` schema objects listed in
 * `numberLongs` (fields the class declares as `number`), `timestamp-millis`/`timestamp-micros` ↔ `Date`,
 * `decimal` ↔ decimal string. Unions of `null` and one other type hold the value itself (`null` or the value).
 * Throws avsc's error for an invalid schema, `MissingAvscError` when avsc is not installed.
 */
export function compileAvroSchema(
  schema: avro.Schema,
  numberLongs: WeakSet<object> = new WeakSet(),
): avro.Type {
  const { Type } = avsc();
  const { bigint, number } = (longs ??= buildLongs(avsc()));
  return Type.forSchema(schema, {
    // A fresh registry each time: avsc also records the schema's named types in it.
    registry: { long: bigint },
    logicalTypes: samsaLogicalTypes(),
    wrapUnions: 'auto',
    typeHook: (node) => {
      if (typeof node !== 'object' || node === null) return undefined;
      if (numberLongs.has(node)) return number;
      // avsc builds `{ "type": "long" }` without the registry: same mapping as the bare `"long"`.
      const { type, logicalType } = node as { type?: unknown; logicalType?: unknown };
      return type === 'long' && logicalType === undefined ? bigint : undefined;
    },
  });
}
