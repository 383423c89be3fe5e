import type avro from 'avsc';
import { compileAvroSchema } from '../avro/avro-type.js';
import { avsc } from '../avro/avsc.js';
import { CodecError } from '../errors/codec.error.js';
import type { Codec } from './codec.interface.js';
import { errorMessage } from './error-message.js';

type Resolver = ReturnType<avro.Type['createResolver']>;

/** An Avro schema as accepted by avsc (`avro.Type.forSchema()`). */
export type AvroSchema = avro.schema.AvroSchema;

/**
 * Avro binary without a header or schema id ("schemaless"): the writer's schema is this one, or given to
 * `decode()`. Values follow avsc's mapping (records decode to avsc record instances with the fields as
 * properties) with samsa's: `long` ↔ `bigint` (64 bits exact; writing also takes a safe-integer `number`),
 * `timestamp-millis`/`timestamp-micros` ↔ `Date`, `decimal` (on `bytes`) ↔ decimal string such as `"12.30"`.
 */
export class AvroCodec<T = unknown> implements Codec<T> {
  readonly name = 'avro';
  /** The schema's name, for error messages: `schemaName`, else the Avro record's `name`, else `avro schema`. */
  readonly schemaName: string;
  /** The compiled schema. */
  readonly type: avro.Type;
  /** Resolvers from the writer schemas this codec has read, by writer. */
  private readonly resolvers = new WeakMap<AvroCodec<unknown>, Resolver | Error>();

  /**
   * Compiles the schema; an invalid schema throws `CodecError` (operation `compile`), a missing avsc (an optional
   * peer dependency) `MissingAvscError`. `numberLongs` lists `long` schema objects (by identity) to read as
   * `number` instead of `bigint`.
   */
  constructor(schema: AvroSchema, schemaName?: string, numberLongs?: WeakSet<object>) {
    this.schemaName = schemaName ?? namedSchema(schema) ?? 'avro schema';
    // Outside the try: a missing avsc is not the schema's fault.
    avsc();
    try {
      this.type = compileAvroSchema(schema, numberLongs);
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

  /**
   * Reads bytes written with this schema, or with `writer`'s (resolved as the Avro specification says: fields
   * the writer lacks take their defaults, fields this schema lacks are skipped, numbers are promoted).
   */
  decode(bytes: Buffer, writer?: AvroCodec<unknown>): T {
    const resolver = writer === undefined || writer === this ? undefined : this.resolverFor(writer);
    try {
      return this.type.fromBuffer(bytes, resolver) as T;
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

  private resolverFor(writer: AvroCodec<unknown>): Resolver {
    let resolver = this.resolvers.get(writer);
    if (resolver === undefined) {
      try {
        resolver = this.type.createResolver(writer.type);
      } catch (error) {
        resolver = error instanceof Error ? error : new Error(String(error));
      }
      this.resolvers.set(writer, resolver);
    }
    if (resolver instanceof Error) {
      throw new CodecError(
        this.name,
        this.schemaName,
        'decode',
        `the bytes were written with ${writer.schemaName}, which this schema cannot read: ${resolver.message}`,
        resolver,
      );
    }
    return resolver;
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
