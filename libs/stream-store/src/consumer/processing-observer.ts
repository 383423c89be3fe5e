/** How one record ended for one handler. */
export type RecordResult = 'ok' | 'retried' | 'dead-lettered' | 'skipped';

/** Hooks the consume loop calls, for metrics; the default does nothing. */
export interface ProcessingObserver {
  record(handler: string, topic: string, result: RecordResult, durationMs: number, count?: number): void;
  batch(handler: string, size: number): void;
  /** The SQL transaction of a batch's state and offsets. */
  flush(handler: string, durationMs: number): void;
  /** The Kafka offset commit after a batch. */
  commit(handler: string, durationMs: number): void;
  rebalance(handler: string, group: string): void;
}

export const NO_OBSERVER: ProcessingObserver = {
  record: () => undefined,
  batch: () => undefined,
  flush: () => undefined,
  commit: () => undefined,
  rebalance: () => undefined,
};
