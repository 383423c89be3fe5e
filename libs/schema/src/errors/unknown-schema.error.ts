import { quoteInput } from './quote-input.js';
import { SchemaError } from './schema.error.js';

/** A schema reference is not registered in the `SchemaRegistry` in use. */
export class UnknownSchemaError extends SchemaError {
  constructor(
    /** The reference that was looked up, e.g. `Content:2` (in full; the message quotes at most its start). */
    readonly ref: string,
    /** Versions of the same id that are registered (empty if the id is unknown). */
    readonly knownVersions: readonly number[] = [],
    /** Name of the class, when a decorated but unregistered class was used. */
    readonly className?: string,
  ) {
    const quoted = quoteInput(ref);
    super(
      className === undefined
        ? `Unknown schema ${quoted}` +
            (knownVersions.length > 0 ? ` (registered versions: ${knownVersions.join(', ')})` : '') +
            `. Register the class declaring @Schema for ${quoted} with registry.register(...).`
        : `Class ${className} (schema ${quoted}) is not registered. Call registry.register(${className}) at startup.`,
    );
  }
}
