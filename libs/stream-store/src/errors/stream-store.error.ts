/** Base of every error samsa's stream-store throws; `retriable` tells the transport whether to try again. */
export class StreamStoreError extends Error {
  readonly retriable: boolean;

  constructor(message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable ?? false;
  }
}
