import 'reflect-metadata';
import { DEFAULT_SCHEMA_VERSION, SCHEMA_ID_PATTERN, SCHEMA_METADATA } from '../constants.js';
import { InvalidSchemaOptionsError } from '../errors/invalid-schema-options.error.js';
import type { SchemaMetadata } from '../interfaces/schema-metadata.interface.js';
import type { SchemaOptions } from '../interfaces/schema-options.interface.js';
import { isSchemaVersion } from '../ref/schema-ref.js';
import { checkWireOptions } from './wire-options.js';

/**
 * Marks a class as a message contract.
 *
 * ```ts
 * @Schema('Content', { version: 1, retention: 24 * 60 * 60, streams: ['content.edited'] })
 * export class ContentMessage {
 *   @IsString() foo!: string;
 * }
 * ```
 *
 * The id defaults to the class name (`@Schema({ version: 2 })`). Options are checked when the class is
 * decorated: an invalid id, version, retention, stream, codec, Avro schema, Confluent id or compatibility mode
 * throws `InvalidSchemaOptionsError`.
 *
 * ```ts
 * @Schema('Order', { codec: 'avro', confluentId: 42 })
 * ```
 */
export function Schema(options?: SchemaOptions): ClassDecorator;
export function Schema(id: string, options?: SchemaOptions): ClassDecorator;
export function Schema(idOrOptions?: string | SchemaOptions, maybeOptions?: SchemaOptions): ClassDecorator {
  return (target) => {
    const [id, options] =
      typeof idOrOptions === 'string' ? [idOrOptions, maybeOptions ?? {}] : [target.name, idOrOptions ?? {}];
    const metadata = toMetadata(target.name, id, options);
    if (Reflect.hasOwnMetadata(SCHEMA_METADATA, target)) {
      throw new InvalidSchemaOptionsError(
        target.name,
        'the class is decorated with @Schema() twice; keep one.',
      );
    }
    Reflect.defineMetadata(SCHEMA_METADATA, metadata, target);
  };
}

function toMetadata(className: string, id: unknown, options: SchemaOptions): SchemaMetadata {
  if (typeof id !== 'string' || !SCHEMA_ID_PATTERN.test(id)) {
    throw new InvalidSchemaOptionsError(
      className,
      `id ${JSON.stringify(id)} must be a non-empty string of letters, digits, "_", "." or "-".`,
    );
  }
  const version = options.version ?? DEFAULT_SCHEMA_VERSION;
  if (!isSchemaVersion(version)) {
    throw new InvalidSchemaOptionsError(
      className,
      `version ${String(version)} must be a positive integer (1, 2, 3, ...).`,
    );
  }
  const { retention } = options;
  if (retention !== undefined && !(Number.isSafeInteger(retention) && retention > 0)) {
    throw new InvalidSchemaOptionsError(
      className,
      `retention ${String(retention)} must be a positive integer number of seconds (e.g. 24 * 60 * 60).`,
    );
  }
  const streams = options.streams ?? [];
  if (
    !Array.isArray(streams) ||
    streams.some((stream) => typeof stream !== 'string' || stream.length === 0)
  ) {
    throw new InvalidSchemaOptionsError(
      className,
      'streams must be an array of non-empty stream (topic) names, e.g. ["content.edited"].',
    );
  }
  return Object.freeze({
    id,
    version,
    ...(retention === undefined ? {} : { retention }),
    streams: Object.freeze([...streams]),
    ...checkWireOptions(className, options),
  });
}
