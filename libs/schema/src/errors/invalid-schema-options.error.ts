import { SchemaError } from './schema.error.js';

/** `@Schema()` was given an invalid id, version, retention or streams list. Thrown when the class is decorated. */
export class InvalidSchemaOptionsError extends SchemaError {
  constructor(
    /** Name of the decorated class. */
    readonly className: string,
    /** What is wrong and how to fix it. */
    readonly problem: string,
  ) {
    super(`Invalid @Schema() on class ${className}: ${problem}`);
  }
}
