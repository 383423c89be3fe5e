import { StreamStoreError } from './stream-store.error.js';

/** A new version of a schema breaks the compatibility its `@Schema()` asks for with the previous version. */
export class SchemaIncompatibleError extends StreamStoreError {
  constructor(
    /** The new version, e.g. `Order:2`. */
    readonly schema: string,
    /** The version it was checked against, e.g. `Order:1`. */
    readonly previous: string,
    readonly mode: string,
    /** One line per breaking change: `field: change (old type -> new type)`. */
    readonly changes: string,
  ) {
    super(
      `Schema ${schema} is not ${mode} compatible with ${previous}:\n${changes}\n` +
        'Keep the change compatible (give a new field a default or make it optional, keep field types), ' +
        `or set compatibility in @Schema() (now '${mode}'; 'none' skips the check), or publish the new shape under a new schema id.`,
    );
  }
}
