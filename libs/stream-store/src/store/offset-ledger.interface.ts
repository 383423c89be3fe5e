import type { TopicPartition } from '../kafka/kafka-client.interface.js';
import type { UnitOfWork } from './unit-of-work.js';

/**
 * Consumed offsets kept in SQL beside the state: the source of truth for stateful handlers, which
 * is what makes state updates exactly-once.
 */
export interface OffsetLedger {
  /** The next offset to process for a partition, as stored; undefined when none is stored. */
  position(group: string, partition: TopicPartition): Promise<string | undefined>;
  /**
   * One transaction: the unit of work's writes, and the offsets row moved from `from` to `to` only
   * if it still holds `from` (else `StaleAssignmentError`, and nothing is written).
   */
  commit(
    group: string,
    partition: TopicPartition,
    from: string | undefined,
    to: string,
    work: UnitOfWork,
  ): Promise<void>;
}
