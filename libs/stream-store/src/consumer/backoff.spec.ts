import { describe, expect, it } from 'vitest';
import { backoffDelay, resolveRetryPolicy } from './backoff.js';

describe('retry policy', () => {
  it('layers module and handler options over the defaults', () => {
    expect(resolveRetryPolicy(undefined, undefined)).toEqual({
      attempts: 3,
      initialDelayMs: 200,
      maxDelayMs: 5000,
    });
    expect(resolveRetryPolicy({ attempts: 5 }, { initialDelayMs: 10, maxDelayMs: undefined })).toEqual({
      attempts: 5,
      initialDelayMs: 10,
      maxDelayMs: 5000,
    });
  });

  it('doubles the delay each attempt up to the cap', () => {
    const policy = resolveRetryPolicy({ initialDelayMs: 100, maxDelayMs: 500 });
    expect([1, 2, 3, 4].map((attempt) => backoffDelay(policy, attempt))).toEqual([100, 200, 400, 500]);
  });

  it('rejects a policy without a first attempt', () => {
    expect(() => resolveRetryPolicy({ attempts: 0 })).toThrow(/attempts/);
  });
});
