import { EnvelopeError } from './envelope.error.js';
import { quoteInput } from './quote-input.js';

/** The envelope object has no `data` property (send `"data": null` for an empty payload). */
export class EnvelopeMissingDataError extends EnvelopeError {
  constructor(
    /** The schema reference the envelope declared (in full; the message quotes at most its start). */
    readonly ref: string,
  ) {
    const quoted = quoteInput(ref);
    super(
      `Message envelope for ${quoted} has no "data" property. Producers must send {"schema":"${quoted}","data":...} ` +
        '(use "data": null for an empty payload).',
    );
  }
}
