import { SchemaError } from '../errors/schema.error.js';

/** A Confluent-framed record names a schema id that no registered `@Schema()` declares as its `confluentId`. */
export class UnknownConfluentIdError extends SchemaError {
  constructor(
    readonly confluentId: number,
    /** The schema the record was read for. */
    readonly expected: string,
    /** The Confluent ids the application knows. */
    readonly known: readonly number[],
  ) {
    super(
      `Confluent schema id ${confluentId} is not declared by any registered @Schema() (reading ${expected}; known ids: ` +
        `${known.length === 0 ? 'none' : known.join(', ')}): add confluentId: ${confluentId} to the class of that version.`,
    );
  }
}
