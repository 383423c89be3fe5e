/** Options shared by every error of `@samsa/schema`. */
export interface SchemaErrorOptions {
  /** Whether retrying the same operation may succeed. Default: `false`. */
  retriable?: boolean;
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * Base class of every error thrown by `@samsa/schema`. Recognise errors with `instanceof`,
 * never by comparing `name`.
 */
export class SchemaError extends Error {
  /** Whether retrying the same operation may succeed (a schema problem never fixes itself: usually `false`). */
  readonly retriable: boolean;

  constructor(message: string, options: SchemaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable ?? false;
  }
}
