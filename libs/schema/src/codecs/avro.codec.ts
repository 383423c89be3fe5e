import avro from 'avsc';
import { CodecError } from '../errors/codec.error.js';
import type { Codec } from './codec.interface.js';
import { errorMessage } from './error-message.js';

/** An Avro schema as accepted by avsc (`avro.Type.forSchema()`). */
export type AvroSchema = avro.schema.AvroSchema;

/**
 * Avro binary without a header or schema id ("schemaless"): both sides must use the same Avro schema, given
 * here explicitly. Values follow avsc's mapping (records decode to avsc record instances with the fields as
 * properties).
 */
export class AvroCodec<T = unknown> implements Codec<T> {
  readonly name = 'avro';
  /** The schema's name, for error messages: `schemaName`, else the Avro record's `name`, else `avro schema`. */
  readonly schemaName: string;
  private readonly type: avro.Type;

  /** Compiles the schema; an invalid schema throws `CodecError` (operation `compile`). */
  constructor(schema: AvroSchema, schemaName?: string) {
    this.schemaName = schemaName ?? namedSchema(schema) ?? 'avro schema';
    try {
      this.type = avro.Type.forSchema(schema);
    } catch (error) {
      throw new CodecError(
        this.name,
        this.schemaName,
        'compile',
        `${errorMessage(error)}; fix the Avro schema`,
        error,
      );
    }
  }

  encode(value: T): Buffer {
    try {
      return this.type.toBuffer(value);
    } catch (error) {
      throw new CodecError(
        this.name,
        this.schemaName,
        'encode',
        this.invalidPaths(value) ?? errorMessage(error),
        error,
      );
    }
  }

  decode(bytes: Buffer): T {
    try {
      return this.type.fromBuffer(bytes) as T;
    } catch (error) {
      throw new CodecError(
        this.name,
        this.schemaName,
        'decode',
        `${errorMessage(error)}; the bytes were not written with this Avro schema`,
        error,
      );
    }
  }

  /** Which fields make `value` invalid, e.g. `invalid fields: title (expected string, got number)`. */
  private invalidPaths(value: unknown): string | undefined {
    const problems: string[] = [];
    this.type.isValid(value, {
      errorHook: (path: string[], fieldValue: unknown, type: avro.Type) => {
        problems.push(
          `${path.join('.') || '(value)'} (expected ${type.typeName}, got ${describe(fieldValue)})`,
        );
      },
    });
    return problems.length === 0 ? undefined : `invalid fields: ${problems.join(', ')}`;
  }
}

function namedSchema(schema: AvroSchema): string | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined;
  const name: unknown = (schema as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'string'
    ? 'string'
    : typeof value === 'object'
      ? 'object'
      : `${typeof value} ${String(value)}`;
}
