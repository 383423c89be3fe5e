import { EnvelopeError } from './envelope.error.js';

/**
 * The envelope's data nests arrays and objects deeper than samsa accepts. Such a document parses, but every
 * recursive step after it (unsafe-key stripping, class-transformer, class-validator) would run out of stack.
 */
export class EnvelopeTooDeepError extends EnvelopeError {
  constructor(
    /** The schema reference the envelope declared. */
    readonly ref: string,
    /** The deepest nesting accepted. */
    readonly limit: number,
  ) {
    super(
      `Message envelope for ${ref} nests its data deeper than ${limit} levels of arrays and objects. ` +
        `Producers must send flatter data (at most ${limit} levels).`,
    );
  }
}
