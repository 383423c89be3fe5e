import { SchemaError } from './schema.error.js';

/** A class was used as a message schema but carries no `@Schema()` decorator. */
export class NotASchemaClassError extends SchemaError {
  constructor(
    /** Name of the class (or a description of the value) that was given. */
    readonly className: string,
  ) {
    super(`${className} is not a message schema: decorate the class with @Schema('Id', { version: 1 }).`);
  }
}
