import {
  encodeEnvelope,
  getSchemaMetadata,
  NotASchemaClassError,
  validateMessage,
  validateMessageSync,
  type SchemaClass,
  type SchemaDefinition,
  type SchemaRegistry,
} from '@samsa/schema';
import { AVRO_CONTENT_TYPE, CONTENT_TYPE_HEADER, encodeAvro, SCHEMA_HEADER } from '@samsa/schema';

/** A validated message in its envelope (or Avro binary), with the schema it was checked against. */
export interface EncodedMessage {
  readonly value: Buffer;
  readonly definition: SchemaDefinition;
  /**
   * Headers the record must carry so any consumer knows how to read it: for Avro, `content-type: avro/binary`
   * and `samsa.schema: Id:version`. JSON envelopes name their schema themselves: none.
   */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Validates a message against its `@Schema` class (the message's constructor) and wraps it in the envelope, or,
 * for a `codec: 'avro'` class, writes it as Avro binary (Confluent-framed with a `confluentId`).
 * A class not yet in the application's registry is registered on first use. Throws `NotASchemaClassError` for a
 * value that is not an instance of a `@Schema` class, `DuplicateSchemaError` when another class claims its
 * `Id:version`, and `MessageValidationError` for invalid data; the envelope carries the validated instance (unknown
 * properties stripped).
 */
export class MessageEncoder {
  constructor(private readonly registry: SchemaRegistry) {}

  /** Synchronous: class-validator's asynchronous constraints are skipped (use `encodeAsync` for such classes). */
  encode(message: object): EncodedMessage {
    const definition = this.definitionOf(message);
    return encoded(definition, validateMessageSync(definition.target, message));
  }

  /** `encode()` with asynchronous class-validator constraints supported. */
  async encodeAsync(message: object): Promise<EncodedMessage> {
    const definition = this.definitionOf(message);
    return encoded(definition, await validateMessage(definition.target, message));
  }

  private definitionOf(message: unknown): SchemaDefinition {
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      throw new NotASchemaClassError(
        message === null ? 'null' : Array.isArray(message) ? 'an array' : `a ${typeof message}`,
      );
    }
    const target: unknown = message.constructor;
    if (getSchemaMetadata(target) === undefined) {
      throw new NotASchemaClassError(target === Object ? 'a plain object' : describe(target));
    }
    const schemaClass = target as SchemaClass;
    return this.registry.getByClass(schemaClass) ?? this.registered(schemaClass);
  }

  private registered(target: SchemaClass): SchemaDefinition {
    const definition = this.registry.register(target).getByClass(target);
    if (!definition) throw new NotASchemaClassError(describe(target));
    return definition;
  }
}

function encoded(definition: SchemaDefinition, valid: object): EncodedMessage {
  if (definition.codec !== 'avro') return { value: encodeEnvelope(definition.ref, valid), definition };
  return {
    value: encodeAvro(definition, valid),
    definition,
    headers: { [CONTENT_TYPE_HEADER]: AVRO_CONTENT_TYPE, [SCHEMA_HEADER]: definition.ref },
  };
}

function describe(target: unknown): string {
  return typeof target === 'function' && target.name ? target.name : 'an anonymous class';
}
