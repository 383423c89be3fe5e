import type avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { compileAvroSchema } from './avro-type.js';

const counted = { type: 'long' };
const schema = {
  type: 'record',
  name: 'Order',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'count', type: counted },
    { name: 'wrapped', type: { type: 'long' } },
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'micros', type: { type: 'long', logicalType: 'timestamp-micros' } },
    { name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'big', type: ['null', 'long'], default: null },
  ],
} as avro.Schema;
const type = compileAvroSchema(schema, new WeakSet([counted]));
const order = {
  id: 9_007_199_254_740_993n,
  count: 3,
  wrapped: 2n ** 60n + 1n,
  at: new Date('2024-05-01T10:00:00.123Z'),
  micros: new Date('1969-12-31T23:59:59.999Z'),
  price: '-12.3',
  note: null,
  big: -(2n ** 63n),
};

describe('compileAvroSchema', () => {
  it('reads back longs past 2^53 as exact bigints, number longs as numbers, dates and decimals', () => {
    const decoded = type.fromBuffer(type.toBuffer(order)) as Record<string, unknown>;
    expect({ ...decoded }).toEqual({ ...order, price: '-12.30' });
    expect(typeof decoded.count).toBe('number');
  });

  it("writes the bytes the Avro specification gives (zigzag longs, two's-complement decimals)", () => {
    const bytes = compileAvroSchema({
      type: 'record',
      name: 'R',
      fields: [
        { name: 'n', type: 'long' },
        { name: 'd', type: { type: 'bytes', logicalType: 'decimal', precision: 4, scale: 2 } },
      ],
    } as avro.Schema).toBuffer({ n: -1n, d: '-1.28' });
    // -1 → zigzag 1; -128 unscaled → one byte 0x80, length 1 → zigzag 2.
    expect(bytes.toString('hex')).toBe('010280');
  });

  it('refuses a decimal with more digits than its scale or precision rather than rounding it', () => {
    expect(type.isValid({ ...order, price: '1.234' })).toBe(false);
    expect(type.isValid({ ...order, price: '123456789.1' })).toBe(false);
    expect(type.isValid({ ...order, price: 12.5 })).toBe(false);
  });

  it('refuses a long outside 64 bits and a number long past 2^53', () => {
    expect(type.isValid({ ...order, id: 2n ** 63n })).toBe(false);
    expect(type.isValid({ ...order, count: 2 ** 53 })).toBe(false);
  });

  it('keeps the logical types in the schema it exports', () => {
    const exported = JSON.stringify(type.schema({ exportAttrs: true }));
    expect(exported).toContain('"logicalType":"decimal","precision":10,"scale":2');
    expect(exported).toContain('"logicalType":"timestamp-micros"');
  });
});
