import kafkajs from 'kafkajs';
import type { FailureKind } from '../../errors/failure-kind.js';

// KafkaJS is CommonJS and builds its exports in a way Node's ESM loader cannot see by name.
const {
  KafkaJSConnectionError,
  KafkaJSError,
  KafkaJSGroupCoordinatorNotFound,
  KafkaJSLockTimeout,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
  KafkaJSSASLAuthenticationError,
} = kafkajs;

/** Answers of the group coordinator to a member it no longer counts in (its partitions may be another's). */
const EVICTED_TYPES = new Set(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'FENCED_INSTANCE_ID']);

/** True when `error` says the group evicted this member (not a rebalance in progress, which it still takes part in). */
export function isEvicted(error: unknown): boolean {
  return error instanceof KafkaJSProtocolError && EVICTED_TYPES.has(error.type);
}

/** Protocol errors about the record itself: the broker will refuse it again, however often asked. */
const REFUSED_TYPES = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_REQUIRED_ACKS',
  'POLICY_VIOLATION',
  'INVALID_TIMESTAMP',
  'UNSUPPORTED_COMPRESSION_TYPE',
]);

/**
 * KafkaJS's verdict: a refusal of the record by type, else any KafkaJS error is infrastructure -
 * retriable ones by nature, and non-retriable ones (authorization, a missing coordinator, retries
 * exhausted while a broker was down) need the cluster or its operator, not another record.
 */
export function kafkaFailure(error: object): FailureKind | undefined {
  if (error instanceof KafkaJSProtocolError && REFUSED_TYPES.has(error.type)) return 'refused';
  if (
    error instanceof KafkaJSConnectionError ||
    error instanceof KafkaJSRequestTimeoutError ||
    error instanceof KafkaJSGroupCoordinatorNotFound ||
    error instanceof KafkaJSLockTimeout ||
    error instanceof KafkaJSSASLAuthenticationError
  )
    return 'infrastructure';
  if (error instanceof KafkaJSProtocolError) return 'infrastructure';
  // Retries exhausted and other wrappers: the cause decides (the caller walks to it).
  if (error instanceof KafkaJSError && error.cause) return undefined;
  return error instanceof KafkaJSError && error.retriable ? 'infrastructure' : undefined;
}
