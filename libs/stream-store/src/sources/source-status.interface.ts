/** Where a `@StreamSource` is, for health checks. */
export interface SourceStatus {
  /** `Class.method`. */
  source: string;
  /**
   * `running`; `waiting` for its next scheduled run; `done` (no schedule); `failed` (the last run
   * failed: `error` says why; a scheduled source tries again at its next run); `stopped` (shutdown).
   */
  state: 'running' | 'waiting' | 'done' | 'failed' | 'stopped';
  /** `topic <name>` / `store <name>`. */
  sinks: string[];
  /** Runs started so far. */
  runs: number;
  /** Items every sink took, over all runs (a topic's are acknowledged by Kafka by the end of each run). */
  items: number;
  /** Invalid items dropped (`onInvalid: 'skip'`), over all runs. */
  skipped: number;
  /** Whether it runs again (`every`). */
  scheduled: boolean;
  error?: string;
}
