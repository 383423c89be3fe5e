import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULTS } from '../defaults.js';
import { classifyFailure } from '../errors/failure-kind.js';
import type { BatchControl } from '../kafka/kafka-client.interface.js';
import { backoffDelay } from './backoff.js';

/** The consumer stopped, or lost the partition, while the work waited: nothing of it counts as done. */
export const INTERRUPTED = Symbol('interrupted');

export interface WaitHooks {
  /** Each failed try: `error` is an infrastructure failure, `tries` counts from 1. */
  waiting(error: unknown, tries: number): void;
  /** The work succeeded after at least one failed try. */
  recovered(): void;
}

/**
 * Runs `work` until it succeeds, waiting out infrastructure failures (an unreachable broker or
 * database) with backoff and heartbeats for as long as the batch is active: they say nothing about
 * the record, so they never count as its failure. Any other error is thrown as it is.
 */
export async function untilAvailable<T>(
  work: () => Promise<T>,
  control: BatchControl,
  hooks: WaitHooks,
  stopping?: AbortSignal,
): Promise<T | typeof INTERRUPTED> {
  for (let tries = 1; ; tries++) {
    try {
      const result = await work();
      if (tries > 1) hooks.recovered();
      return result;
    } catch (error) {
      if (classifyFailure(error) !== 'infrastructure') throw error;
      hooks.waiting(error, tries);
      if (!(await pause(control, tries, stopping))) return INTERRUPTED;
    }
  }
}

/**
 * Sleeps one backoff step, keeping the group session alive; false once the batch is no longer
 * active, or at once when `stopping` aborts (shutdown, rejoin): the consumer does not wait for it.
 */
export function pause(control: BatchControl, tries: number, stopping?: AbortSignal): Promise<boolean> {
  return sleepWhileActive(backoffDelay(DEFAULTS.infrastructureBackoff, tries), control, stopping);
}

/**
 * Sleeps `ms` (a retry's backoff too), then heartbeats; false - at once if need be - when the batch
 * is no longer active or `stopping` aborts: no attempt starts on a consumer that is going away.
 */
export async function sleepWhileActive(
  ms: number,
  control: BatchControl,
  stopping?: AbortSignal,
): Promise<boolean> {
  if (!control.isActive() || stopping?.aborted) return false;
  await sleep(ms, undefined, { signal: stopping }).catch((error: unknown) => {
    if (!stopping?.aborted) throw error;
  });
  if (stopping?.aborted) return false;
  await control.heartbeat().catch(() => undefined);
  return control.isActive();
}
