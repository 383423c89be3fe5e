import type { BatchControl } from '../kafka/kafka-client.interface.js';

/**
 * A heartbeat (at most every 200 ms of a batch) fails while the group rebalances:
 * the batch then stops after the current record and commits what it did, so the rebalance is
 * not held up by the rest of a long batch.
 */
const lastRebalanceCheck = new WeakMap<BatchControl, number>();
const REBALANCE_CHECK_MS = 200;

/** A pending heartbeat that resolves true when the group rebalances, or undefined when not yet due. */
export function rebalanceCheckDue(control: BatchControl): Promise<boolean> | undefined {
  const now = Date.now();
  if (now - (lastRebalanceCheck.get(control) ?? 0) < REBALANCE_CHECK_MS) return undefined;
  lastRebalanceCheck.set(control, now);
  return control.heartbeat().then(
    () => false,
    () => true,
  );
}
