import type { TopicPartition } from '../kafka/kafka-client.interface.js';
import type { Checkpoint, OutboxRow } from './backend/journal-sql.js';
import type { UnitOfWork } from './unit-of-work.js';

/**
 * Consumed offsets kept in SQL beside the state: the source of truth for stateful handlers, which
 * is what makes state updates exactly-once.
 */
export interface OffsetLedger {
  /** The next offset to process for a partition, as stored; undefined when none is stored. */
  position(group: string, partition: TopicPartition): Promise<string | undefined>;
  /**
   * One transaction: the unit of work's writes, its outputs into the outbox, the changelog
   * checkpoints, and the offsets row moved from `from` to `to` only if it still holds `from` (else
   * `StaleAssignmentError`, and nothing is written). Resolves with the outbox rows written.
   */
  commit(
    group: string,
    partition: TopicPartition,
    from: string | undefined,
    to: string,
    work: UnitOfWork,
    checkpoints?: readonly Checkpoint[],
  ): Promise<OutboxRow[]>;
  /** Outbox rows not yet produced (left by a crash between commit and produce), oldest first. */
  pendingOutbox(limit: number): Promise<OutboxRow[]>;
  /** Forgets outbox rows once produced. */
  deleteOutbox(ids: readonly string[]): Promise<void>;
  /** How many outbox rows are waiting. */
  outboxSize(): Promise<number>;
}
