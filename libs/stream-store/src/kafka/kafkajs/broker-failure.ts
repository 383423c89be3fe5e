import kafkajs from 'kafkajs';

const {
  KafkaJSConnectionError,
  KafkaJSRequestTimeoutError,
  KafkaJSBrokerNotFound,
  KafkaJSGroupCoordinatorNotFound,
} = kafkajs;
/** Exported by KafkaJS, missing from its typings. */
const { KafkaJSNoBrokerAvailableError } = kafkajs as unknown as {
  KafkaJSNoBrokerAvailableError: new (...args: never[]) => Error;
};

/** Node's socket errors that mean the other end did not answer. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * Why `error` says that no broker answered (a refused or lost connection, a request timeout, no
 * broker or coordinator to be found), or undefined when it is something else - including errors
 * the broker answered with, which prove it reachable. Walks `cause` and `original` (samsa's
 * restartable batch failures keep the original there).
 */
export function brokerFailureReason(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  for (let current = error; typeof current === 'object' && current !== null && !seen.has(current);) {
    seen.add(current);
    if (
      current instanceof KafkaJSConnectionError ||
      current instanceof KafkaJSRequestTimeoutError ||
      current instanceof KafkaJSNoBrokerAvailableError ||
      current instanceof KafkaJSBrokerNotFound ||
      current instanceof KafkaJSGroupCoordinatorNotFound
    )
      return current.message;
    const { code, message, cause, original } = current as {
      code?: unknown;
      message?: unknown;
      cause?: unknown;
      original?: unknown;
    };
    if (typeof code === 'string' && SOCKET_CODES.has(code))
      return typeof message === 'string' ? message : code;
    current = cause ?? original;
  }
  return undefined;
}
