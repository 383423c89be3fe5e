import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsDate, IsDecimal, IsEnum, IsInt, IsOptional, IsString, ValidateNested } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { AvroField } from '../decorators/avro-field.decorator.js';
import { IsBigInt } from '../decorators/is-big-int.decorator.js';
import { Schema } from '../decorators/schema.decorator.js';
import { CodecError } from '../errors/codec.error.js';
import { SchemaRegistry } from '../registry/schema-registry.js';
import { validateMessageSync } from '../validation/validate-message.js';
import { AvroSchemaDerivationError } from './avro-schema-derivation.error.js';
import { avroSchemaOf, avroSourceOf, decodeAvro, encodeAvro } from './avro-wire.js';
import { UnknownConfluentIdError } from './unknown-confluent-id.error.js';

enum Status {
  Open = 'OPEN',
  Shipped = 'SHIPPED',
}

class Line {
  @IsString() sku!: string;
  @IsInt() quantity!: number;
}

@Schema('shop.Order', { codec: 'avro' })
class Order {
  @IsBigInt() id!: bigint;
  @IsDecimal() @AvroField({ type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 }) total!: string;
  @IsDate() @Type(() => Date) placedAt!: Date;
  @IsEnum(Status) status!: Status;
  @IsOptional() @IsString() note?: string | null;
  @ValidateNested({ each: true }) @Type(() => Line) lines!: Line[];
  @IsString({ each: true }) tags!: string[];
}

@Schema('shop.Order', { codec: 'avro', version: 2, confluentId: 7 })
class OrderV2 {
  @IsBigInt() id!: bigint;
  @IsDecimal() @AvroField({ type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 }) total!: string;
  @IsOptional() @IsString() currency?: string | null;
}

@Schema('shop.Order', { codec: 'avro', version: 3, confluentId: 8 })
class OrderV3 {
  @IsBigInt() id!: bigint;
}

const order = (): Order =>
  Object.assign(new Order(), {
    id: 2n ** 62n + 1n,
    total: '1234567890.05',
    placedAt: new Date('2024-05-01T10:00:00.123Z'),
    status: Status.Shipped,
    note: undefined,
    lines: [Object.assign(new Line(), { sku: 'A-1', quantity: 3 })],
    tags: ['gift'],
  });

describe('Avro schemas derived from a class', () => {
  const registry = new SchemaRegistry().register(Order, OrderV2, OrderV3);
  const v1 = registry.getByClass(Order)!;

  it('maps each decorator to its Avro type, in declaration order', () => {
    expect(avroSchemaOf(v1)).toEqual({
      type: 'record',
      name: 'shop.Order',
      fields: [
        { name: 'id', type: 'long' },
        { name: 'total', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 } },
        { name: 'placedAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'status', type: 'string' },
        { name: 'note', type: ['null', 'string'], default: null },
        {
          name: 'lines',
          type: {
            type: 'array',
            items: {
              type: 'record',
              name: 'shop.Line',
              fields: [
                { name: 'sku', type: 'string' },
                { name: 'quantity', type: 'long' },
              ],
            },
          },
        },
        { name: 'tags', type: { type: 'array', items: 'string' } },
      ],
    });
  });

  it('round-trips an instance exactly: bigint past 2^53, decimal digits, Date, nested numbers', () => {
    const bytes = encodeAvro(v1, order());
    const data = decodeAvro(v1, avroSourceOf(registry, v1, bytes));
    const valid = validateMessageSync(Order, data);
    expect(valid).toBeInstanceOf(Order);
    expect(valid).toEqual({ ...order(), note: null });
    expect(typeof valid.lines[0].quantity).toBe('number');
  });

  it('frames a schema with a confluentId and reads an older version through its frame', () => {
    const v2 = registry.getByClass(OrderV2)!;
    const v3 = registry.getByClass(OrderV3)!;
    const bytes = encodeAvro(v2, { id: 5n, total: '1.50', currency: 'EUR' });
    expect(bytes.subarray(0, 5).toString('hex')).toBe('0000000007');
    const source = avroSourceOf(registry, v3, bytes);
    expect(source.writer).toBe(v2);
    expect(decodeAvro(v3, source)).toEqual({ id: 5n });
  });

  it('refuses an unknown Confluent id and unframed bytes with typed errors', () => {
    const v3 = registry.getByClass(OrderV3)!;
    const unknown = Buffer.from('000000002a02', 'hex');
    expect(() => avroSourceOf(registry, v3, unknown)).toThrow(UnknownConfluentIdError);
    expect(() => avroSourceOf(registry, v3, Buffer.from('02', 'hex'))).toThrow(CodecError);
  });

  it('names the property it cannot type and how to fix it', () => {
    @Schema('Priced', { codec: 'avro' })
    class Priced {
      @IsDecimal() price!: string;
    }
    expect(() => new SchemaRegistry().register(Priced)).toThrow(AvroSchemaDerivationError);
    expect(() => new SchemaRegistry().register(Priced)).toThrow(/Priced\.price.*precision and scale/);
  });

  it('reports an invalid value with the failing field when encoding', () => {
    expect(() => encodeAvro(v1, { ...order(), total: '1.234' })).toThrow(/total/);
  });
});
