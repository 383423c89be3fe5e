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
  | { kind: 'other-schema'; schema: string }
  /** A null value (a delete) for a handler that did not opt in with `tombstones: true`: passed over. */
  | { kind: 'tombstone' };

/** Turns a record's value into what the handler's `@Payload()` asks for. */
export interface PayloadDecoder {
  /**
   * `raw`: the value as it is (`Buffer`, or `null` for a tombstone); `data`: the envelope's data as
   * parsed; `dto`: a validated instance.
   */
  readonly kind: 'raw' | 'data' | 'dto';
  /** Schema classes the handler takes (for `dto`). */
  readonly schemas: Type<unknown>[];
  /** Throws a non-retriable error (envelope, unknown schema, validation) for a poison record. */
  decode(record: KafkaRecord): DecodeResult;
}

export interface PayloadDecoderOptions {
  schema?: Type<unknown>;
  forbidUnknown?: boolean;
  tombstones?: boolean;
}

/**
 * Chooses by the types of the parameters that receive the payload (`payloadTypes`): an explicit
 * `schema` option or an `@Schema` class → `dto`; no payload parameter at all (the handler asks only for
 * `@StreamRecord()`/`@Ctx()`) or a `Buffer` → `raw`, every record as it is; anything else → the
 * envelope's `data`.
 */
export function createPayloadDecoder(
  registry: SchemaRegistry,
  payloadTypes: unknown[],
  options: PayloadDecoderOptions,
): PayloadDecoder {
  const schemaClass =
    options.schema ??
    (payloadTypes.find((type) => isClass(type) && getSchemaMetadata(type)) as Type | undefined);
  const tombstones = options.tombstones ?? false;
  if (schemaClass) return new DtoDecoder(registry, schemaClass, options.forbidUnknown ?? false, tombstones);
  if (payloadTypes.length === 0 || payloadTypes.includes(Buffer)) return rawDecoder;
  return tombstones ? dataDecoderWithTombstones : dataDecoder;
}

const TOMBSTONE: DecodeResult = Object.freeze({ kind: 'tombstone' });
const NULL_PAYLOAD: DecodeResult = Object.freeze({ kind: 'payload', payload: null });

/** A tombstone stays `null` and an empty value an empty `Buffer`: the handler can tell a delete apart. */
const rawDecoder: PayloadDecoder = {
  kind: 'raw',
  schemas: [],
  decode: (record) => ({ kind: 'payload', payload: record.value }),
};

function decodeData(record: KafkaRecord, tombstone: DecodeResult): DecodeResult {
  if (record.value === null) return tombstone;
  const { ref, data } = decodeEnvelope(record.value);
  return { kind: 'payload', payload: data, schema: ref };
}

const dataDecoder: PayloadDecoder = {
  kind: 'data',
  schemas: [],
  decode: (record) => decodeData(record, TOMBSTONE),
};

const dataDecoderWithTombstones: PayloadDecoder = {
  kind: 'data',
  schemas: [],
  decode: (record) => decodeData(record, NULL_PAYLOAD),
};

class DtoDecoder implements PayloadDecoder {
  readonly kind = 'dto';
  readonly schemas: Type<unknown>[];
  private readonly ref: string;
  private readonly tombstone: DecodeResult;

  constructor(
    private readonly registry: SchemaRegistry,
    private readonly target: Type<unknown>,
    private readonly forbidUnknown: boolean,
    tombstones: boolean,
  ) {
    const definition = registry.register(target).getByClass(target);
    if (!definition) throw new NotASchemaClassError(target.name);
    this.schemas = [target];
    this.ref = definition.ref;
    this.tombstone = tombstones ? NULL_PAYLOAD : TOMBSTONE;
  }

  decode(record: KafkaRecord): DecodeResult {
    if (record.value === null) return this.tombstone;
    const { schema, ref, data } = decodeEnvelope(record.value);
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
