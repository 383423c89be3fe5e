/** How one record ended for one handler. */
export type RecordResult = 'ok' | 'retried' | 'dead-lettered' | 'skipped';

/** Hooks for metrics; the default does nothing. */
export interface ProcessingObserver {
  record(handler: string, topic: string, result: RecordResult, durationMs: number, count?: number): void;
  batch(handler: string, size: number): void;
  commit(handler: string, durationMs: number): void;
}

export const NO_OBSERVER: ProcessingObserver = {
  record: () => undefined,
  batch: () => undefined,
  commit: () => undefined,
};
