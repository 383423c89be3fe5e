import { SchemaError } from '../errors/schema.error.js';

/** samsa cannot tell a property's Avro type from its decorators. Thrown when the class is registered. */
export class AvroSchemaDerivationError extends SchemaError {
  constructor(
    /** The class holding the property. */
    readonly className: string,
    readonly property: string,
    /** What is missing and how to fix it. */
    readonly problem: string,
  ) {
    super(`Cannot derive the Avro type of ${className}.${property}: ${problem}`);
  }
}
