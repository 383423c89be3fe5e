import { SCHEMA_ID_PATTERN, SCHEMA_REF_PATTERN } from '../constants.js';
import { InvalidSchemaRefError } from '../errors/invalid-schema-ref.error.js';

/** Identifies one version of a schema. Written `Id:version` in envelopes, e.g. `Content:1`. */
export interface SchemaRef {
  readonly id: string;
  readonly version: number;
}

/** Formats a reference as `Id:version`. Throws `InvalidSchemaRefError` if the id or version is invalid. */
export function formatSchemaRef(ref: SchemaRef): string {
  if (typeof ref.id !== 'string' || !SCHEMA_ID_PATTERN.test(ref.id)) {
    throw new InvalidSchemaRefError(ref, `id ${JSON.stringify(ref.id)} must match [A-Za-z0-9_.-]+`);
  }
  if (!isSchemaVersion(ref.version)) {
    throw new InvalidSchemaRefError(ref, `version ${String(ref.version)} must be a positive integer`);
  }
  return `${ref.id}:${ref.version}`;
}

/**
 * Parses `Id:version` (e.g. `Content:1`) strictly: the id matches `[A-Za-z0-9_.-]+`, the version is a positive
 * integer without sign, leading zeros or whitespace. Throws `InvalidSchemaRefError` otherwise.
 */
export function parseSchemaRef(value: string): SchemaRef {
  const match = typeof value === 'string' ? SCHEMA_REF_PATTERN.exec(value) : null;
  if (match === null) throw new InvalidSchemaRefError(value);
  const version = Number(match[2]);
  if (!Number.isSafeInteger(version)) throw new InvalidSchemaRefError(value, 'the version is too large');
  return { id: match[1], version };
}

/** Whether `value` is a valid schema version: a positive safe integer. */
export function isSchemaVersion(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}
