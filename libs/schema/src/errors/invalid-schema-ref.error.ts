import { SchemaError } from './schema.error.js';

/** A schema reference is not of the form `Id:version` (e.g. `Content:1`). */
export class InvalidSchemaRefError extends SchemaError {
  constructor(
    /** The rejected value. */
    readonly value: unknown,
    reason = 'expected "Id:version" where Id matches [A-Za-z0-9_.-]+ and version is a positive integer, e.g. "Content:1"',
  ) {
    super(`Invalid schema reference ${describeValue(value)}: ${reason}.`);
  }
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : `${typeof value} ${String(value)}`;
}
