import { EnvelopeError } from './envelope.error.js';

/** The message bytes are not valid UTF-8, so they cannot be a JSON envelope (a binary payload, or another charset). */
export class EnvelopeNotUtf8Error extends EnvelopeError {
  constructor(
    /** How many bytes the message has. */
    readonly byteLength: number,
    cause: unknown,
  ) {
    super(
      `Message is not valid UTF-8 (${byteLength} bytes), so it is not a JSON envelope. Producers must send ` +
        '{"schema":"Id:version","data":...} encoded as UTF-8 JSON (use encodeEnvelope()); a handler that takes ' +
        'binary values asks for `@Payload() value: Buffer` or only `@StreamRecord()`.',
      { cause },
    );
  }
}
