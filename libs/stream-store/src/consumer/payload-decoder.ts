import type { Type } from '@nestjs/common';
import {
  decodeEnvelope,
  getSchemaMetadata,
  NotASchemaClassError,
  type SchemaRegistry,
  UnknownSchemaError,
  validateMessageSync,
  type SchemaDefinition,
} from '@samsa/schema';
import { avroSourceOf, decodeAvro } from '@samsa/schema';
import type { KafkaRecord } from '../kafka/kafka-client.interface.js';
import { recordFormat } from './payload-decoder-format.js';

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
 * envelope's `data` (or a samsa-published Avro record's data).
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
  return dataDecoder(registry, tombstones ? NULL_PAYLOAD : TOMBSTONE);
}

const TOMBSTONE: DecodeResult = Object.freeze({ kind: 'tombstone' });
const NULL_PAYLOAD: DecodeResult = Object.freeze({ kind: 'payload', payload: null });

/** A tombstone stays `null` and an empty value an empty `Buffer`: the handler can tell a delete apart. */
const rawDecoder: PayloadDecoder = {
  kind: 'raw',
  schemas: [],
  decode: (record) => ({ kind: 'payload', payload: record.value }),
};

/**
 * The envelope's data; for a record marked `content-type: avro/binary` with a registered `samsa.schema`, the
 * Avro data read with that schema (not validated: the handler asked for data, not a class).
 */
function dataDecoder(registry: SchemaRegistry, tombstone: DecodeResult): PayloadDecoder {
  return {
    kind: 'data',
    schemas: [],
    decode: (record) => {
      if (record.value === null) return tombstone;
      const format = recordFormat(record.headers);
      const writer = format.codec === 'avro' && format.writerRef ? registry.get(format.writerRef) : undefined;
      if (writer === undefined) {
        const { ref, data } = decodeEnvelope(record.value);
        return { kind: 'payload', payload: data, schema: ref };
      }
      const source = avroSourceOf(registry, writer, record.value);
      return { kind: 'payload', payload: decodeAvro(writer, source), schema: source.writer.ref };
    },
  };
}

class DtoDecoder implements PayloadDecoder {
  readonly kind = 'dto';
  readonly schemas: Type<unknown>[];
  private readonly definition: SchemaDefinition;
  private readonly tombstone: DecodeResult;

  constructor(
    private readonly registry: SchemaRegistry,
    private readonly target: Type<unknown>,
    private readonly forbidUnknown: boolean,
    tombstones: boolean,
  ) {
    const definition = registry.register(target).getByClass(target as Type<object>);
    if (!definition) throw new NotASchemaClassError(target.name);
    this.schemas = [target];
    this.definition = definition;
    this.tombstone = tombstones ? NULL_PAYLOAD : TOMBSTONE;
  }

  /**
   * The encoding is the record's `content-type` (`avro/binary`, or JSON), else the class's `codec`. JSON: the
   * envelope's `Id:version` must be this class's; Avro: any version of this schema id is read (resolved into
   * this class's schema), and `ctx.schema` is the version it was written with.
   */
  decode(record: KafkaRecord): DecodeResult {
    if (record.value === null) return this.tombstone;
    const format = recordFormat(record.headers);
    const codec = format.codec ?? this.definition.codec;
    return codec === 'avro'
      ? this.decodeAvro(record.value, format.codec === 'avro' ? format.writerRef : undefined)
      : this.decodeJson(record.value);
  }

  private decodeJson(value: Buffer): DecodeResult {
    const { schema, ref, data } = decodeEnvelope(value);
    if (ref !== this.definition.ref) {
      if (!this.registry.get(ref)) throw new UnknownSchemaError(ref, this.registry.versions(schema.id));
      return { kind: 'other-schema', schema: ref };
    }
    return { kind: 'payload', payload: this.validate(data), schema: ref };
  }

  private decodeAvro(value: Buffer, writerRef: string | undefined): DecodeResult {
    const source = avroSourceOf(this.registry, this.definition, value, writerRef);
    if (source.writer.id !== this.definition.id) return { kind: 'other-schema', schema: source.writer.ref };
    const data = decodeAvro(this.definition, source);
    return { kind: 'payload', payload: this.validate(data), schema: source.writer.ref };
  }

  private validate(data: unknown): unknown {
    return validateMessageSync(this.target as Type<object>, data, { forbidUnknown: this.forbidUnknown });
  }
}

function isClass(value: unknown): value is Type<unknown> {
  return typeof value === 'function' && value !== Object && value !== Buffer;
}
