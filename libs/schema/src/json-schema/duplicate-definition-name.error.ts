import { SchemaError } from '../errors/schema.error.js';

/** Two different nested classes of one message share a name: their JSON Schema definitions would collide. */
export class DuplicateDefinitionNameError extends SchemaError {
  constructor(
    /** The message class whose schema was being generated. */
    readonly className: string,
    /** The name both nested classes have. */
    readonly definitionName: string,
  ) {
    super(
      `${className} nests two different classes named ${definitionName}: JSON Schema definitions are named after ` +
        'classes, rename one of them.',
    );
  }
}
