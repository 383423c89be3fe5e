import { SchemaError } from '../errors/schema.error.js';

/**
 * Avro is used (a `codec: 'avro'` schema, an `AvroCodec`, an Avro compatibility check) but the package `avsc`, an
 * optional peer dependency of `@samsa/schema`, is not installed. JSON-only applications never load it.
 */
export class MissingAvscError extends SchemaError {
  /** The package to install. */
  readonly packageName = 'avsc';

  constructor(cause?: unknown) {
    super(
      'The Avro codec needs the package avsc, an optional peer dependency of @samsa/schema: npm install avsc',
      { cause },
    );
  }
}
