import type { BatchControl, KafkaRecord } from '../kafka/kafka-client.interface.js';
import type { UnitOfWork } from '../store/unit-of-work.js';
import type { RecordResult } from './processing-observer.js';

/**
 * How a record (or a batch handler's items) ended: done (handled, skipped or dead-lettered), halted
 * (the partition stops here), or interrupted (the consumer stopped or lost the partition mid-way:
 * not done, fetched again by whoever owns the partition next).
 */
export type Outcome =
  { result: RecordResult; output?: unknown } | { result: 'halted'; reason: string } | Interrupted;
export type Interrupted = { result: 'interrupted' };
export const interrupted: Interrupted = { result: 'interrupted' };

/** The records a handler call was given, and where its outputs end among the batch's outputs. */
export interface OutputSpan {
  records: KafkaRecord[];
  end: number;
}

/** One batch on its way: what it may do, what it wrote, and which outputs belong to which records. */
export interface BatchRun {
  /**
   * The assignment epoch the batch was fetched under: a batch still committing after the next
   * rebalance must carry its own, older epoch, or a restore would take the new owner's records for a
   * zombie's.
   */
  epoch: number;
  records: KafkaRecord[];
  control: BatchControl;
  work: UnitOfWork;
  spans: OutputSpan[];
}

export const nextOffset = (offset: string) => (BigInt(offset) + 1n).toString();
