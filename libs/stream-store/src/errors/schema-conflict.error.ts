import { StreamStoreError } from './stream-store.error.js';

/** The schema topic already holds this version with a different JSON Schema. */
export class SchemaConflictError extends StreamStoreError {
  constructor(
    readonly schema: string,
    readonly topic: string,
    readonly differences: string,
  ) {
    super(
      `Schema ${schema} conflicts with the version published in ${topic}: ${differences}. ` +
        'A published version never changes: bump the version in @Schema() for the new shape.',
    );
  }
}
