import type avro from 'avsc';
import { avsc, type Avsc } from './avsc.js';

// avsc's logical types: `_toValue` turns a JavaScript value into the underlying Avro value (or `undefined` when
// the value is not one of this type's), `_fromValue` the reverse, `_resolve` reads another writer type.

/** A class of avsc logical type, as `logicalTypes` of `avro.Type.forSchema()` takes it. */
type LogicalTypeClass = new (schema: avro.Schema, options?: unknown) => avro.types.LogicalType;

/** The logical types samsa maps, by name. */
export type SamsaLogicalTypes = Readonly<
  Record<'timestamp-millis' | 'timestamp-micros' | 'decimal', LogicalTypeClass>
>;

let built: SamsaLogicalTypes | undefined;

/**
 * The logical types samsa maps; others are read as their underlying type (as the Avro specification says). Built
 * on first use: the classes extend avsc's, which loads only when Avro is used.
 */
export function samsaLogicalTypes(): SamsaLogicalTypes {
  return (built ??= buildLogicalTypes(avsc()));
}

function buildLogicalTypes({ types }: Avsc): SamsaLogicalTypes {
  /** `timestamp-millis` (a long of milliseconds since the epoch) ↔ `Date`. */
  class TimestampMillisType extends types.LogicalType {
    protected override _fromValue(value: bigint | number): Date {
      return new Date(Number(value));
    }

    protected override _toValue(date: unknown): number | undefined {
      return date instanceof Date && !Number.isNaN(date.getTime()) ? date.getTime() : undefined;
    }

    protected override _resolve(type: avro.Type): ((value: unknown) => unknown) | undefined {
      if (type instanceof TimestampMillisType) return (value) => value;
      if (type instanceof TimestampMicrosType) return (value) => floorDivide(toBigInt(value), 1000n);
      return undefined;
    }
  }

  /**
   * `timestamp-micros` (a long of microseconds since the epoch) ↔ `Date`. A `Date` holds milliseconds: reading
   * drops the sub-millisecond digits (rounded towards the past).
   */
  class TimestampMicrosType extends types.LogicalType {
    protected override _fromValue(value: bigint | number): Date {
      return new Date(Number(floorDivide(toBigInt(value), 1000n)));
    }

    /** A number: avsc builds a logical type's `long` as its own (a `number`, exact up to 2^53 µs, year 2255). */
    protected override _toValue(date: unknown): number | undefined {
      return date instanceof Date && !Number.isNaN(date.getTime()) ? date.getTime() * 1000 : undefined;
    }

    protected override _resolve(type: avro.Type): ((value: unknown) => unknown) | undefined {
      if (type instanceof TimestampMicrosType) return (value) => value;
      if (type instanceof TimestampMillisType) return (value) => Number(value) * 1000;
      return undefined;
    }
  }

  /**
   * `decimal` on `bytes` (two's-complement big-endian unscaled value) ↔ a decimal string such as `"12.30"`,
   * always written with `scale` fractional digits. Exact both ways: a value with more fractional digits than the
   * scale, or more digits than the precision, is refused, never rounded.
   */
  class DecimalType extends types.LogicalType {
    readonly precision: number;
    readonly scale: number;

    constructor(schema: avro.Schema, options?: unknown) {
      super(schema, options);
      const { precision, scale = 0 } = schema as { precision?: unknown; scale?: unknown };
      if (!Number.isSafeInteger(precision) || (precision as number) < 1) {
        throw new Error('a decimal needs a positive integer "precision"');
      }
      if (
        !Number.isSafeInteger(scale) ||
        (scale as number) < 0 ||
        (scale as number) > (precision as number)
      ) {
        throw new Error('a decimal\'s "scale" must be an integer from 0 to its precision');
      }
      if (!(this.underlyingType instanceof types.BytesType)) {
        throw new Error('samsa reads decimals on "bytes" only (not "fixed")');
      }
      this.precision = precision as number;
      this.scale = scale as number;
    }

    protected override _fromValue(bytes: Buffer): string {
      const unscaled =
        bytes.length === 0 ? 0n : BigInt.asIntN(bytes.length * 8, BigInt(`0x${bytes.toString('hex')}`));
      const negative = unscaled < 0n;
      const digits = (negative ? -unscaled : unscaled).toString().padStart(this.scale + 1, '0');
      const whole = digits.slice(0, digits.length - this.scale);
      const fraction = digits.slice(digits.length - this.scale);
      return `${negative ? '-' : ''}${whole}${this.scale > 0 ? `.${fraction}` : ''}`;
    }

    protected override _toValue(value: unknown): Buffer | undefined {
      const unscaled = this.unscaled(value);
      return unscaled === undefined ? undefined : twosComplement(unscaled);
    }

    protected override _resolve(type: avro.Type): ((value: unknown) => unknown) | undefined {
      return type instanceof DecimalType && type.scale === this.scale ? (value) => value : undefined;
    }

    protected override _export(schema: avro.Schema): void {
      Object.assign(schema as object, { precision: this.precision, scale: this.scale });
    }

    private unscaled(value: unknown): bigint | undefined {
      if (typeof value !== 'string') return undefined;
      const match = DECIMAL_TEXT.exec(value);
      if (match === null) return undefined;
      const [, sign, whole, fraction = ''] = match;
      if (fraction.length > this.scale) return undefined;
      const digits = `${whole}${fraction.padEnd(this.scale, '0')}`.replace(/^0+(?=\d)/, '');
      if (digits.length > this.precision) return undefined;
      return BigInt(`${sign}${digits}`);
    }
  }

  return {
    'timestamp-millis': TimestampMillisType,
    'timestamp-micros': TimestampMicrosType,
    decimal: DecimalType,
  };
}

const DECIMAL_TEXT = /^(-?)(\d+)(?:\.(\d+))?$/;

function toBigInt(value: unknown): bigint {
  return typeof value === 'bigint' ? value : BigInt(value as number);
}

function floorDivide(value: bigint, divisor: bigint): bigint {
  const quotient = value / divisor;
  return value % divisor < 0n ? quotient - 1n : quotient;
}

/** The shortest two's-complement big-endian bytes of `value`. */
function twosComplement(value: bigint): Buffer {
  let bytes = 1;
  while (value < -(1n << BigInt(bytes * 8 - 1)) || value >= 1n << BigInt(bytes * 8 - 1)) bytes++;
  const hex = BigInt.asUintN(bytes * 8, value)
    .toString(16)
    .padStart(bytes * 2, '0');
  return Buffer.from(hex, 'hex');
}
