import { StreamStoreError } from './stream-store.error.js';

/** SASL authentication failed in a way a plain (non-SASL) listener answers: the port is probably wrong. */
export class SaslListenerError extends StreamStoreError {
  constructor(brokers: readonly string[], cause: unknown) {
    super(
      `SASL authentication with ${brokers.join(', ')} failed: ` +
        `${cause instanceof Error ? cause.message : String(cause)}. The listener may not be a SASL listener: ` +
        "check that the port is the broker's SASL_PLAINTEXT/SASL_SSL one (listener.security.protocol.map), " +
        'or remove `sasl` from the Kafka options if the listener is PLAINTEXT.',
      { cause, retriable: false },
    );
  }
}
