import { DEFAULTS } from '../defaults.js';
import type { RetryOptions } from '../interfaces/retry-options.interface.js';

export type RetryPolicy = Required<RetryOptions>;

export function resolveRetryPolicy(...layers: Array<RetryOptions | undefined>): RetryPolicy {
  const policy: RetryPolicy = { ...DEFAULTS.retry };
  for (const layer of layers) Object.assign(policy, withoutUndefined(layer ?? {}));
  if (!Number.isInteger(policy.attempts) || policy.attempts < 1) {
    throw new RangeError(`retry.attempts must be a whole number ≥ 1, got ${policy.attempts}`);
  }
  return policy;
}

/** Exponential backoff: initialDelay · 2^(attempt-1), capped. `attempt` counts from 1. */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
