/** What the outbox relay reports to health and metrics. */
export interface OutboxStatus {
  /** Committed outputs not yet produced (nor dead-lettered). */
  readonly pending: number;
  /** How long the oldest of them has waited since its batch committed, in ms; 0 when none waits. */
  readonly oldestAgeMs: number;
  /** Set when outputs wait and none has gone out for too long: why, and what failed last. */
  readonly stuck?: string;
}

/** Hooks for metrics on the outbox; the default (a plain `PublishObserver`) has none. */
export interface OutboxObserver {
  /** Where gauges read the outbox's backlog at scrape time. */
  watchOutbox?(status: () => OutboxStatus): void;
  /** `count` outputs Kafka refused for good were dead-lettered from `topic`. */
  outputsDeadLettered?(topic: string, count: number): void;
}
