import 'reflect-metadata';
import { SCHEMA_METADATA } from '../constants.js';
import type { SchemaMetadata } from '../interfaces/schema-metadata.interface.js';

/**
 * Reads the metadata `@Schema()` stored on a class, or `undefined` if the class is not a schema.
 * Only the class's own metadata counts: a subclass of a schema class is not a schema until decorated itself.
 */
export function getSchemaMetadata(target: unknown): SchemaMetadata | undefined {
  if (typeof target !== 'function') return undefined;
  return Reflect.getOwnMetadata(SCHEMA_METADATA, target) as SchemaMetadata | undefined;
}

/** Whether a class is decorated with `@Schema()`. */
export function isSchemaClass(target: unknown): boolean {
  return getSchemaMetadata(target) !== undefined;
}
