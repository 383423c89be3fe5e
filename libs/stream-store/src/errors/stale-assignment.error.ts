import { StreamStoreError } from './stream-store.error.js';

/**
 * The offsets row of a partition no longer holds the offset this batch started from: another
 * instance took the partition over. The batch's state writes are rolled back.
 */
export class StaleAssignmentError extends StreamStoreError {
  constructor(group: string, topic: string, partition: number, expected: string) {
    super(
      `Partition ${topic}[${partition}] of group ${group} moved on past offset ${expected}: another instance owns it now. The batch was rolled back.`,
    );
  }
}
