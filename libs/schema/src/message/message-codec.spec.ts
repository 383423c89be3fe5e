import {
  Validate,
  IsInt,
  IsOptional,
  IsString,
  Min,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { describe, expect, it } from 'vitest';
import { IsBigInt } from '../decorators/is-big-int.decorator.js';
import { Schema } from '../decorators/schema.decorator.js';
import { decodeEnvelope, encodeEnvelope } from '../envelope/envelope.js';
import { EnvelopeNotJsonError } from '../errors/envelope-not-json.error.js';
import { MessageValidationError } from '../errors/message-validation.error.js';
import { NotASchemaClassError } from '../errors/not-a-schema-class.error.js';
import { UnknownSchemaError } from '../errors/unknown-schema.error.js';
import { SchemaRegistry } from '../registry/schema-registry.js';
import { MessageCodec } from './message-codec.js';

@Schema('Content', { version: 1, streams: ['content.edited'] })
class ContentV1 {
  @IsString() foo!: string;
}

@Schema('Content', { version: 2 })
class ContentV2 {
  @IsString() foo!: string;
  @IsInt() size!: number;
}

@Schema('Unregistered')
class UnregisteredMessage {
  @IsString() foo!: string;
}

function setup() {
  const registry = new SchemaRegistry().register(ContentV1, ContentV2);
  return { registry, codec: new MessageCodec(registry) };
}

describe('MessageCodec', () => {
  it('encodes an instance of a registered class into an envelope with its reference', () => {
    const { codec } = setup();
    const message = Object.assign(new ContentV2(), { foo: 'bar', size: 3 });
    const bytes = codec.encode(message);
    expect(bytes.toString()).toBe('{"schema":"Content:2","data":{"foo":"bar","size":3}}');
    expect(decodeEnvelope(bytes)).toEqual({
      schema: { id: 'Content', version: 2 },
      ref: 'Content:2',
      data: { foo: 'bar', size: 3 },
    });
  });

  it('decodes, looks up and validates a message', () => {
    const { codec, registry } = setup();
    const decoded = codec.decode(encodeEnvelope('Content:1', { foo: 'bar', extra: true }));
    expect(decoded.ref).toEqual({ id: 'Content', version: 1 });
    expect(decoded.definition).toBe(registry.get('Content:1'));
    expect(decoded.message).toBeInstanceOf(ContentV1);
    expect(decoded.message).toEqual({ foo: 'bar' });
  });

  it('round-trips', () => {
    const { codec } = setup();
    const message = Object.assign(new ContentV1(), { foo: 'round' });
    expect(codec.decode(codec.encode(message)).message).toEqual(message);
  });

  it('rejects unknown properties with forbidUnknown', () => {
    const { codec } = setup();
    const bytes = encodeEnvelope('Content:1', { foo: 'bar', extra: true });
    expect(() => codec.decode(bytes, { forbidUnknown: true })).toThrow(MessageValidationError);
    expect(() => codec.decode(bytes, { forbidUnknown: true })).toThrow(
      'extra: property extra should not exist',
    );
  });

  it('throws UnknownSchemaError for an unregistered reference, listing registered versions', () => {
    const { codec } = setup();
    try {
      codec.decode(encodeEnvelope('Content:3', { foo: 'bar' }));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UnknownSchemaError);
      expect(error).toMatchObject({ ref: 'Content:3', knownVersions: [1, 2] });
      expect((error as Error).message).toBe(
        'Unknown schema Content:3 (registered versions: 1, 2). ' +
          'Register the class declaring @Schema for Content:3 with registry.register(...).',
      );
    }
    expect(() => codec.decode(encodeEnvelope('Other:1', {}))).toThrow(/^Unknown schema Other:1\. Register/);
  });

  it('passes envelope and validation errors through', () => {
    const { codec } = setup();
    expect(() => codec.decode('nope')).toThrow(EnvelopeNotJsonError);
    expect(() => codec.decode(encodeEnvelope('Content:2', { foo: 'bar' }))).toThrow(
      /Message does not match ContentV2 \(1 issue\):\n {2}- size: size must be an integer number/,
    );
  });

  it('refuses to encode values of unregistered or undecorated classes', () => {
    const { codec } = setup();
    class Plain {}
    expect(() => codec.encode(Object.assign(new UnregisteredMessage(), { foo: 'x' }))).toThrow(
      'Class UnregisteredMessage (schema Unregistered:1) is not registered. Call registry.register(UnregisteredMessage) at startup.',
    );
    expect(() => codec.encode(new Plain())).toThrow(NotASchemaClassError);
    expect(() => codec.encode({ foo: 'x' })).toThrow('a plain object is not a message schema');
  });

  it('supports asynchronous validators with decodeAsync()', async () => {
    @ValidatorConstraint({ async: true })
    class NeverValid implements ValidatorConstraintInterface {
      async validate(): Promise<boolean> {
        return false;
      }
      defaultMessage(): string {
        return 'checked asynchronously';
      }
    }
    @Schema('Checked')
    class CheckedMessage {
      @Validate(NeverValid) value!: string;
    }
    const codec = new MessageCodec(new SchemaRegistry().register(CheckedMessage));
    const bytes = encodeEnvelope('Checked:1', { value: 'x' });
    await expect(codec.decodeAsync(bytes)).rejects.toThrow('value: checked asynchronously');
    expect(codec.decode(bytes).message).toEqual({ value: 'x' });
  });

  describe('Avro schemas', () => {
    @Schema('CodecInvoice', { codec: 'avro' })
    class Invoice {
      @IsBigInt() id!: bigint;
      @IsInt() @Min(1) cents!: number;
    }
    @Schema('CodecInvoice', { codec: 'avro', version: 2 })
    class InvoiceV2 {
      @IsBigInt() id!: bigint;
      @IsInt() @Min(1) cents!: number;
      @IsOptional() @IsString() memo?: string | null;
    }
    const codec = new MessageCodec(new SchemaRegistry().register(Invoice, InvoiceV2));

    it('encodes Avro binary and decodes it validated, resolving an older writer', () => {
      const bytes = codec.encode(Object.assign(new Invoice(), { id: 2n ** 63n - 1n, cents: 5 }));
      expect(bytes.toString('hex')).toBe('feffffffffffffffff010a');
      expect(codec.decodeAvro(bytes, 'CodecInvoice:1').message).toEqual({ id: 2n ** 63n - 1n, cents: 5 });
      const upgraded = codec.decodeAvro(bytes, 'CodecInvoice:2', { writerRef: 'CodecInvoice:1' });
      expect(upgraded.ref).toEqual({ id: 'CodecInvoice', version: 1 });
      expect(upgraded.message).toBeInstanceOf(InvoiceV2);
      expect(upgraded.message).toEqual({ id: 2n ** 63n - 1n, cents: 5, memo: null });
    });

    it('refuses invalid Avro data with MessageValidationError', () => {
      const bytes = codec.encode(Object.assign(new Invoice(), { id: 1n, cents: 0 }));
      expect(() => codec.decodeAvro(bytes, 'CodecInvoice:1')).toThrow(MessageValidationError);
    });
  });
});
