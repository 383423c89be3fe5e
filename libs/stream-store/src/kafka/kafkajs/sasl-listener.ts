import kafkajs from 'kafkajs';
import { SaslListenerError } from '../../errors/sasl-listener.error.js';

const { KafkaJSProtocolError } = kafkajs;
/** Exported by KafkaJS, missing from its typings. */
const { KafkaJSConnectionClosedError } = kafkajs as unknown as {
  KafkaJSConnectionClosedError: new (...args: never[]) => Error;
};

/**
 * A SASL client on a PLAINTEXT listener: Kafka answers the SASL handshake with ILLEGAL_SASL_STATE
 * ("Request is not valid given the current SASL state"), or closes the connection. Either error
 * while connecting is replaced by one that names the likely cause.
 */
export function explainSaslFailure(
  error: unknown,
  brokers: readonly string[],
  saslConfigured: boolean,
): unknown {
  if (!saslConfigured) return error;
  const illegalState = error instanceof KafkaJSProtocolError && error.type === 'ILLEGAL_SASL_STATE';
  return illegalState || error instanceof KafkaJSConnectionClosedError
    ? new SaslListenerError(brokers, error)
    : error;
}

/** The hint added to KafkaJS's own log lines about a SASL failure (its text is all a log entry has). */
export const SASL_LISTENER_HINT =
  'the listener may not be a SASL listener: check the port and the broker listener.security.protocol.map';
