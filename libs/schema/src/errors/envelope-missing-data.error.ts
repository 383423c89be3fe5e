import { EnvelopeError } from './envelope.error.js';

/** The envelope object has no `data` property (send `"data": null` for an empty payload). */
export class EnvelopeMissingDataError extends EnvelopeError {
  constructor(
    /** The schema reference the envelope declared. */
    readonly ref: string,
  ) {
    super(
      `Message envelope for ${ref} has no "data" property. Producers must send {"schema":"${ref}","data":...} ` +
        '(use "data": null for an empty payload).',
    );
  }
}
