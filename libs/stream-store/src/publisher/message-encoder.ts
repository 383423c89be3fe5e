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

/** A validated message in its envelope, with the schema it was checked against. */
export interface EncodedMessage {
  readonly value: Buffer;
  readonly definition: SchemaDefinition;
}

/**
 * Validates a message against its `@Schema` class (the message's constructor) and wraps it in the envelope.
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
    return {
      value: encodeEnvelope(definition.ref, validateMessageSync(definition.target, message)),
      definition,
    };
  }

  /** `encode()` with asynchronous class-validator constraints supported. */
  async encodeAsync(message: object): Promise<EncodedMessage> {
    const definition = this.definitionOf(message);
    const valid = await validateMessage(definition.target, message);
    return { value: encodeEnvelope(definition.ref, valid), definition };
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

function describe(target: unknown): string {
  return typeof target === 'function' && target.name ? target.name : 'an anonymous class';
}
