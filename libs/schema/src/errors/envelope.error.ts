import { SchemaError } from './schema.error.js';

/**
 * Base class of the errors raised while encoding or decoding a message envelope
 * (`{"schema":"Id:version","data":...}`). A decode error means the message can never be read as it is:
 * route it to a dead letter topic rather than retrying it.
 */
export class EnvelopeError extends SchemaError {}
