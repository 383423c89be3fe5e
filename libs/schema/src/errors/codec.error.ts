import { quoteInput } from './quote-input.js';
import { SchemaError } from './schema.error.js';

/** What a codec was doing when it failed. */
export type CodecOperation = 'compile' | 'encode' | 'decode';

/** A codec could not compile its schema, encode a value or decode bytes. The cause is the codec's own error. */
export class CodecError extends SchemaError {
  constructor(
    /** The codec's name, e.g. `json` or `avro`. */
    readonly codec: string,
    /** The schema the codec serves, for logs. */
    readonly schema: string,
    readonly operation: CodecOperation,
    /** What is wrong and how to fix it. */
    readonly problem: string,
    cause?: unknown,
  ) {
    // A codec's own message may quote the value it failed on (avsc does): bounded like any quoted input.
    super(`${codec} codec for ${schema} cannot ${operation}: ${quoteInput(problem, 500)}`, { cause });
  }
}
