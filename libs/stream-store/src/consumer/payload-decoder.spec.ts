import {
  encodeEnvelope,
  EnvelopeNotJsonError,
  EnvelopeNotUtf8Error,
  EnvelopeTooDeepError,
  MessageValidationError,
  Schema,
  SchemaRegistry,
} from '@samsa/schema';
import { IsDate, IsInt, IsOptional, IsString, Min, ValidateNested } from 'class-validator';
import { encodeAvro, IsBigInt } from '@samsa/schema';
import { Type as TransformType } from 'class-transformer';
import { describe, expect, it } from 'vitest';
import type { KafkaRecord } from '../kafka/kafka-client.interface.js';
import { createPayloadDecoder } from './payload-decoder.js';

@Schema('DecoderItem', { version: 1 })
class Item {
  @IsString() name!: string;
  @IsInt() count!: number;
}

@Schema('DecoderTree', { version: 1 })
class Tree {
  @IsString() label!: string;
  @ValidateNested() @TransformType(() => Tree) child?: Tree;
}

const record = (value: Buffer | null, headers: KafkaRecord['headers'] = {}): KafkaRecord => ({
  topic: 't',
  partition: 0,
  offset: '0',
  key: null,
  value,
  headers,
  timestamp: '0',
});

@Schema('DecoderPayment', { codec: 'avro' })
class Payment {
  @IsBigInt() id!: bigint;
  @IsInt() @Min(1) cents!: number;
  @IsDate() @TransformType(() => Date) at!: Date;
}

@Schema('DecoderPayment', { codec: 'avro', version: 2 })
class PaymentV2 {
  @IsBigInt() id!: bigint;
  @IsInt() @Min(1) cents!: number;
  @IsOptional() @IsString() memo?: string | null;
}

const item = encodeEnvelope('DecoderItem:1', { name: 'a', count: 1 });
const notUtf8 = Buffer.concat([
  Buffer.from('{"schema":"DecoderItem:1","data":{"name":"'),
  Buffer.from([0xc3, 0x28]),
  Buffer.from('","count":1}}'),
]);
const deep = (ref: string) =>
  Buffer.from(`{"schema":"${ref}","data":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);

describe('createPayloadDecoder', () => {
  const registry = () => new SchemaRegistry();

  describe('a handler without a payload parameter (only @StreamRecord()/@Ctx(), or nothing)', () => {
    const decoder = createPayloadDecoder(registry(), [], {});

    it('gets every record as it is: raw, non-JSON, empty and tombstones', () => {
      expect(decoder.kind).toBe('raw');
      const bytes = Buffer.from([0xff, 0x00, 0x7b]);
      expect(decoder.decode(record(bytes))).toEqual({ kind: 'payload', payload: bytes });
      expect(decoder.decode(record(Buffer.from('{not json')))).toMatchObject({ kind: 'payload' });
      expect(decoder.decode(record(Buffer.alloc(0)))).toEqual({ kind: 'payload', payload: Buffer.alloc(0) });
      expect(decoder.decode(record(null))).toEqual({ kind: 'payload', payload: null });
    });
  });

  describe('a Buffer payload', () => {
    const decoder = createPayloadDecoder(registry(), [Buffer], {});

    it('tells a tombstone (null) from an empty value (an empty Buffer)', () => {
      expect(decoder.kind).toBe('raw');
      expect(decoder.decode(record(null))).toEqual({ kind: 'payload', payload: null });
      const empty = decoder.decode(record(Buffer.alloc(0)));
      expect(empty.kind === 'payload' && Buffer.isBuffer(empty.payload) && empty.payload.length).toBe(0);
    });
  });

  describe('untyped envelope data', () => {
    it('skips tombstones unless the handler opts in, then gets null', () => {
      expect(createPayloadDecoder(registry(), [Object], {}).decode(record(null))).toEqual({
        kind: 'tombstone',
      });
      expect(
        createPayloadDecoder(registry(), [undefined], { tombstones: true }).decode(record(null)),
      ).toEqual({ kind: 'payload', payload: null });
    });

    it('refuses an empty value, invalid UTF-8 and too-deep data with typed envelope errors', () => {
      const decoder = createPayloadDecoder(registry(), [Object], {});
      expect(decoder.kind).toBe('data');
      expect(() => decoder.decode(record(Buffer.alloc(0)))).toThrow(EnvelopeNotJsonError);
      expect(() => decoder.decode(record(notUtf8))).toThrow(EnvelopeNotUtf8Error);
      expect(() => decoder.decode(record(deep('Any:1')))).toThrow(EnvelopeTooDeepError);
    });

    it('never hands over __proto__ keys', () => {
      const decoder = createPayloadDecoder(registry(), [Object], {});
      const value = Buffer.from('{"schema":"Any:1","data":{"__proto__":{"polluted":1},"a":1}}');
      const decoded = decoder.decode(record(value));
      expect(decoded).toEqual({ kind: 'payload', payload: { a: 1 }, schema: 'Any:1' });
      const merged: Record<string, unknown> = Object.assign(
        {},
        decoded.kind === 'payload' && decoded.payload,
      );
      expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  describe('a DTO payload', () => {
    it('skips tombstones unless the handler opts in, then gets null', () => {
      expect(createPayloadDecoder(registry(), [Item], {}).decode(record(null))).toEqual({
        kind: 'tombstone',
      });
      expect(createPayloadDecoder(registry(), [Item], { tombstones: true }).decode(record(null))).toEqual({
        kind: 'payload',
        payload: null,
      });
    });

    it('validates records and refuses invalid UTF-8', () => {
      const decoder = createPayloadDecoder(registry(), [Item], {});
      const decoded = decoder.decode(record(item));
      expect(decoded.kind === 'payload' && decoded.payload).toBeInstanceOf(Item);
      expect(() => decoder.decode(record(notUtf8))).toThrow(EnvelopeNotUtf8Error);
      expect(() => decoder.decode(record(encodeEnvelope('DecoderItem:1', { name: 1 })))).toThrow(
        MessageValidationError,
      );
    });

    it('refuses deep data with EnvelopeTooDeepError before validation could overflow the stack', () => {
      const decoder = createPayloadDecoder(registry(), [Tree], {});
      let nested = '{"label":"leaf"}';
      for (let level = 0; level < 20_000; level++) nested = `{"label":"n","child":${nested}}`;
      const value = Buffer.from(`{"schema":"DecoderTree:1","data":${nested}}`);
      expect(() => decoder.decode(record(value))).toThrow(EnvelopeTooDeepError);
      expect(() => decoder.decode(record(deep('DecoderTree:1')))).toThrow(EnvelopeTooDeepError);
    });
  });

  describe('a handler of an Avro @Schema class', () => {
    const payments = new SchemaRegistry().register(Payment, PaymentV2);
    const v1 = payments.getByClass(Payment)!;
    const v2 = payments.getByClass(PaymentV2)!;
    const at = new Date('2024-05-01T10:00:00.000Z');
    const paid = (cents: number) => encodeAvro(v1, { id: 2n ** 60n + 7n, cents, at });

    it('reads plain Avro without headers (another service) as the class declares, validated', () => {
      const decoder = createPayloadDecoder(payments, [Payment], {});
      const decoded = decoder.decode(record(paid(250)));
      expect(decoded).toEqual({
        kind: 'payload',
        payload: { id: 2n ** 60n + 7n, cents: 250, at },
        schema: 'DecoderPayment:1',
      });
      expect((decoded as { payload: unknown }).payload).toBeInstanceOf(Payment);
    });

    it('throws a MessageValidationError (dead letter) for Avro data the class refuses', () => {
      const decoder = createPayloadDecoder(payments, [Payment], {});
      expect(() => decoder.decode(record(paid(0)))).toThrow(MessageValidationError);
    });

    it("resolves an older version named by samsa.schema into the handler's version", () => {
      const decoder = createPayloadDecoder(payments, [PaymentV2], {});
      const headers = { 'content-type': 'avro/binary', 'samsa.schema': 'DecoderPayment:1' };
      expect(decoder.decode(record(paid(5), headers))).toEqual({
        kind: 'payload',
        payload: { id: 2n ** 60n + 7n, cents: 5, memo: null },
        schema: 'DecoderPayment:1',
      });
    });

    it('passes over Avro records of another registered schema, and JSON ones by content-type', () => {
      const mixed = new SchemaRegistry().register(Item, Payment);
      const items = createPayloadDecoder(mixed, [Item], {});
      const headers = { 'content-type': 'avro/binary', 'samsa.schema': 'DecoderPayment:1' };
      expect(items.decode(record(paid(5), headers))).toEqual({
        kind: 'other-schema',
        schema: 'DecoderPayment:1',
      });
      const avroHandler = createPayloadDecoder(mixed, [Payment], {});
      expect(avroHandler.decode(record(item, { 'content-type': 'application/json' }))).toEqual({
        kind: 'other-schema',
        schema: 'DecoderItem:1',
      });
      expect(v2.avro).toBeDefined();
    });

    it('gives an untyped handler the data of a samsa-published Avro record (named by samsa.schema)', () => {
      const decoder = createPayloadDecoder(payments, [Object], {});
      const headers = { 'content-type': 'avro/binary', 'samsa.schema': 'DecoderPayment:1' };
      expect(decoder.decode(record(paid(7), headers))).toEqual({
        kind: 'payload',
        payload: { id: 2n ** 60n + 7n, cents: 7, at },
        schema: 'DecoderPayment:1',
      });
      expect(decoder.decode(record(item))).toMatchObject({ kind: 'payload', schema: 'DecoderItem:1' });
    });
  });
});
