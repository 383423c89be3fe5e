import { setTimeout as sleep } from 'node:timers/promises';

/** Resolves once `predicate` holds, checking every `intervalMs`. */
export async function until(predicate: () => Promise<boolean> | boolean, intervalMs = 5): Promise<void> {
  while (!(await predicate())) await sleep(intervalMs);
}
