import { EnvelopeError } from './envelope.error.js';
import type { InvalidSchemaRefError } from './invalid-schema-ref.error.js';

/** The envelope's `schema` property is not a valid `Id:version` reference. The cause is an `InvalidSchemaRefError`. */
export class EnvelopeInvalidSchemaRefError extends EnvelopeError {
  constructor(
    /** The value found in the `schema` property. */
    readonly value: unknown,
    cause: InvalidSchemaRefError,
  ) {
    super(`Message envelope has an invalid "schema" property. ${cause.message}`, { cause });
  }
}
