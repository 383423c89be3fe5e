import type { PendingWrite } from './unit-of-work.js';

type PendingValue = Extract<PendingWrite, { deleted: false }>;

/** Whether a pending write leaves a live value at `now`. */
export function isLive(write: PendingWrite, now: number): write is PendingValue {
  return !write.deleted && (write.expiresAt === undefined || write.expiresAt > now);
}

/** The JSON text a pending value is stored as. */
export function pendingJson(write: PendingValue): string {
  return write.json ?? JSON.stringify(write.value);
}
