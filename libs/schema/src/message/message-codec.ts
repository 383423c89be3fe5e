import { avroSourceOf, decodeAvro, encodeAvro } from '../avro/avro-wire.js';
import { encodeEnvelope, decodeEnvelope } from '../envelope/envelope.js';
import { NotASchemaClassError } from '../errors/not-a-schema-class.error.js';
import { UnknownSchemaError } from '../errors/unknown-schema.error.js';
import type { SchemaClass } from '../interfaces/schema-class.interface.js';
import type { SchemaDefinition } from '../interfaces/schema-definition.interface.js';
import { describeClass } from '../metadata/describe-class.js';
import { getSchemaMetadata } from '../metadata/schema-metadata.accessor.js';
import { formatSchemaRef, parseSchemaRef, type SchemaRef } from '../ref/schema-ref.js';
import type { SchemaRegistry } from '../registry/schema-registry.js';
import {
  validateMessage,
  validateMessageSync,
  type ValidateMessageOptions,
} from '../validation/validate-message.js';

/** A message read by `MessageCodec.decode()`. */
export interface DecodedMessage<T = object> {
  /** The reference the envelope declared. */
  readonly ref: SchemaRef;
  /** The registered schema for that reference. */
  readonly definition: SchemaDefinition<T>;
  /** The validated instance of the schema class (unknown properties stripped unless `forbidUnknown`). */
  readonly message: T;
}

/**
 * Ties a `SchemaRegistry` to the envelope: `encode()` wraps an instance of a registered class, `decode()` reads
 * an envelope, looks up its schema and validates the data. A convenience for tests and tools; a transport's hot
 * path can call `decodeEnvelope()`, `registry.get()` and `validateMessageSync()` itself.
 */
export class MessageCodec {
  constructor(private readonly registry: SchemaRegistry) {}

  /**
   * Envelope bytes for an instance of a registered `@Schema()` class, or its Avro binary for a `codec: 'avro'`
   * class (Confluent-framed with a `confluentId`). Throws `NotASchemaClassError` for other values,
   * `UnknownSchemaError` when the class is decorated but not registered, and `CodecError` for a value Avro cannot
   * write. The data is not validated.
   */
  encode(message: object): Buffer {
    const definition = this.definitionOf(message);
    return definition.codec === 'avro'
      ? encodeAvro(definition, message)
      : encodeEnvelope(definition.ref, message);
  }

  /**
   * Decodes and validates Avro bytes for the schema `ref` (`Id:version`): written with that version, or with the
   * version the Confluent frame names when `ref`'s class has a `confluentId`, or with `writerRef`'s (a
   * `samsa.schema` header). Throws `UnknownSchemaError`, `UnknownConfluentIdError`, `CodecError` or
   * `MessageValidationError`.
   */
  decodeAvro(
    bytes: Buffer,
    ref: SchemaRef | string,
    options: ValidateMessageOptions & { writerRef?: string } = {},
  ): DecodedMessage {
    const reader = this.lookup(typeof ref === 'string' ? parseSchemaRef(ref) : ref);
    const source = avroSourceOf(this.registry, reader, bytes, options.writerRef);
    const data = decodeAvro(reader, source);
    return {
      ref: parseSchemaRef(source.writer.ref),
      definition: reader,
      message: validateMessageSync(reader.target, data, options),
    };
  }

  /**
   * Decodes and validates synchronously. Throws an `EnvelopeError`, `UnknownSchemaError` or
   * `MessageValidationError`. Asynchronous validators are not supported: use `decodeAsync()` for such classes.
   */
  decode(bytes: Buffer | Uint8Array | string, options: ValidateMessageOptions = {}): DecodedMessage {
    const { schema, data } = decodeEnvelope(bytes);
    const definition = this.lookup(schema);
    return { ref: schema, definition, message: validateMessageSync(definition.target, data, options) };
  }

  /** `decode()` with asynchronous validators supported. */
  async decodeAsync(
    bytes: Buffer | Uint8Array | string,
    options: ValidateMessageOptions = {},
  ): Promise<DecodedMessage> {
    const { schema, data } = decodeEnvelope(bytes);
    const definition = this.lookup(schema);
    return { ref: schema, definition, message: await validateMessage(definition.target, data, options) };
  }

  private lookup(ref: SchemaRef): SchemaDefinition {
    const definition = this.registry.get(ref);
    if (definition === undefined) {
      throw new UnknownSchemaError(formatSchemaRef(ref), this.registry.versions(ref.id));
    }
    return definition;
  }

  private definitionOf(message: object): SchemaDefinition {
    const target: unknown = message.constructor;
    const metadata = getSchemaMetadata(target);
    if (metadata === undefined) {
      throw new NotASchemaClassError(target === Object ? 'a plain object' : describeClass(target));
    }
    const definition = this.registry.getByClass(target as SchemaClass);
    if (definition === undefined) {
      throw new UnknownSchemaError(formatSchemaRef(metadata), [], describeClass(target));
    }
    return definition;
  }
}
