import { EnvelopeError } from './envelope.error.js';

/** A payload cannot be encoded into an envelope (undefined, a BigInt, a circular structure, ...). */
export class EnvelopeEncodeError extends EnvelopeError {
  constructor(
    /** The schema reference the payload was encoded for. */
    readonly ref: string,
    /** What is wrong and how to fix it. */
    readonly problem: string,
    cause?: unknown,
  ) {
    super(`Cannot encode a message for ${ref}: ${problem}`, { cause });
  }
}
