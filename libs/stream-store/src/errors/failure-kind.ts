import { databaseFailure } from '../store/backend/database-failures.js';
import { kafkaFailure } from '../kafka/kafkajs/kafkajs-failures.js';

/**
 * What a failure says about the record being processed:
 * - `infrastructure`: the record is fine, something it depends on is not (a broker or database unreachable, a
 *   client timeout, a leader moving): wait and try again, never dead-letter, never halt;
 * - `refused`: Kafka refused the record itself for good (too large, invalid): retrying cannot help;
 * - `record`: anything else - the handler or the record failed (retried, then dead-lettered).
 */
export type FailureKind = 'infrastructure' | 'refused' | 'record';

/** A verdict on one error of a chain; undefined when that error says nothing either way. */
export type FailureClassifier = (error: object) => FailureKind | undefined;

const CLASSIFIERS: readonly FailureClassifier[] = [
  explicitKind,
  kafkaFailure,
  databaseFailure,
  networkFailure,
];

/** Node's socket errors: whoever's connection it was, the record is not at fault. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
]);

/**
 * Classifies an error by the first verdict found in it or its causes (`cause`, `original`,
 * `driverError`, and each of `errors`): the outermost error that knows wins.
 */
export function classifyFailure(error: unknown): FailureKind {
  const seen = new Set<object>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    for (const classify of CLASSIFIERS) {
      const kind = classify(current);
      if (kind) return kind;
    }
    const links = current as { cause?: unknown; original?: unknown; driverError?: unknown; errors?: unknown };
    queue.push(links.cause, links.original, links.driverError);
    if (Array.isArray(links.errors)) queue.push(...(links.errors as unknown[]));
  }
  return 'record';
}

/** True when the record is not at fault: the caller should wait and try again. */
export function isInfrastructureFailure(error: unknown): boolean {
  return classifyFailure(error) === 'infrastructure';
}

/** samsa's own errors may say what they are (`failureKind`). */
function explicitKind(error: object): FailureKind | undefined {
  const kind = (error as { failureKind?: unknown }).failureKind;
  return kind === 'infrastructure' || kind === 'refused' || kind === 'record' ? kind : undefined;
}

function networkFailure(error: object): FailureKind | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && NETWORK_CODES.has(code) ? 'infrastructure' : undefined;
}
