import type { Type } from '@nestjs/common';
import {
  decodeEnvelope,
  getSchemaMetadata,
  NotASchemaClassError,
  type SchemaRegistry,
  UnknownSchemaError,
  validateMessageSync,
} from '@samsa/schema';
import type { KafkaRecord } from '../kafka/kafka-client.interface.js';

export type DecodeResult =
  | { kind: 'payload'; payload: unknown; schema?: string }
  /** A registered schema this handler does not take: not an error, the record is passed over. */
  | { kind: 'other-schema'; schema: string };

/** Turns a record's value into what the handler's `@Payload()` asks for. */
export interface PayloadDecoder {
  /** `raw`: the value bytes; `data`: the envelope's data as parsed; `dto`: a validated instance. */
  readonly kind: 'raw' | 'data' | 'dto';
  /** Schema classes the handler takes (for `dto`). */
  readonly schemas: Type<unknown>[];
  /** Throws a non-retriable error (envelope, unknown schema, validation) for a poison record. */
  decode(record: KafkaRecord): DecodeResult;
}

/**
 * Chooses by the handler's declared payload: an explicit `schema` option or a parameter typed with
 * an `@Schema` class → `dto`; a `Buffer` parameter → `raw`; anything else → the envelope's `data`.
 */
export function createPayloadDecoder(
  registry: SchemaRegistry,
  parameterTypes: unknown[],
  options: { schema?: Type<unknown>; forbidUnknown?: boolean },
): PayloadDecoder {
  const schemaClass =
    options.schema ??
    (parameterTypes.find((type) => isClass(type) && getSchemaMetadata(type)) as Type | undefined);
  if (schemaClass) return new DtoDecoder(registry, schemaClass, options.forbidUnknown ?? false);
  if (parameterTypes.includes(Buffer)) return rawDecoder;
  return dataDecoder;
}

const rawDecoder: PayloadDecoder = {
  kind: 'raw',
  schemas: [],
  decode: (record) => ({ kind: 'payload', payload: record.value ?? Buffer.alloc(0) }),
};

const dataDecoder: PayloadDecoder = {
  kind: 'data',
  schemas: [],
  decode: (record) => {
    const { ref, data } = decodeEnvelope(record.value ?? Buffer.alloc(0));
    return { kind: 'payload', payload: data, schema: ref };
  },
};

class DtoDecoder implements PayloadDecoder {
  readonly kind = 'dto';
  readonly schemas: Type<unknown>[];
  private readonly ref: string;

  constructor(
    private readonly registry: SchemaRegistry,
    private readonly target: Type<unknown>,
    private readonly forbidUnknown: boolean,
  ) {
    const definition = registry.register(target).getByClass(target);
    if (!definition) throw new NotASchemaClassError(target.name);
    this.schemas = [target];
    this.ref = definition.ref;
  }

  decode(record: KafkaRecord): DecodeResult {
    const { schema, ref, data } = decodeEnvelope(record.value ?? Buffer.alloc(0));
    if (ref !== this.ref) {
      if (!this.registry.get(ref)) throw new UnknownSchemaError(ref, this.registry.versions(schema.id));
      return { kind: 'other-schema', schema: ref };
    }
    const payload = validateMessageSync(this.target as Type<object>, data, {
      forbidUnknown: this.forbidUnknown,
    });
    return { kind: 'payload', payload, schema: ref };
  }
}

function isClass(value: unknown): value is Type<unknown> {
  return typeof value === 'function' && value !== Object && value !== Buffer;
}
