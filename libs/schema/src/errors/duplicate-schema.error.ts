import { SchemaError } from './schema.error.js';

/** Two different classes claim the same `Id:version`. A startup error: the registry refuses the second class. */
export class DuplicateSchemaError extends SchemaError {
  constructor(
    /** The contested reference, e.g. `Content:1`. */
    readonly ref: string,
    /** Name of the class registered first. */
    readonly existingClass: string,
    /** Name of the class that was refused. */
    readonly duplicateClass: string,
  ) {
    super(
      `Schema ${ref} is claimed by two classes: ${existingClass} and ${duplicateClass}. ` +
        `Give one of them another id, or bump its version (@Schema('Id', { version: n + 1 })).`,
    );
  }
}
