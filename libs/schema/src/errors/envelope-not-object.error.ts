import { EnvelopeError } from './envelope.error.js';

/** The message is JSON but not an object (an array, `null`, a number, a string or a boolean). */
export class EnvelopeNotObjectError extends EnvelopeError {
  constructor(
    /** What was received instead: `array`, `null`, `number`, `string` or `boolean`. */
    readonly received: string,
  ) {
    super(
      `Message envelope must be a JSON object {"schema":"Id:version","data":...}, got ${received}. ` +
        `Producers must wrap payloads with encodeEnvelope().`,
    );
  }
}
