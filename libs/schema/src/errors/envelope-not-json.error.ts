import { EnvelopeError } from './envelope.error.js';

/** The message bytes are not valid JSON (wrong serializer on the producer side, or truncated bytes). */
export class EnvelopeNotJsonError extends EnvelopeError {
  constructor(
    /** The first characters of the message, for logs. */
    readonly preview: string,
    cause: unknown,
  ) {
    super(
      `Message is not a JSON envelope (${cause instanceof Error ? cause.message : String(cause)}); ` +
        `starts with ${JSON.stringify(preview)}. Producers must send {"schema":"Id:version","data":...} ` +
        `encoded as UTF-8 JSON (use encodeEnvelope()).`,
      { cause },
    );
  }
}
