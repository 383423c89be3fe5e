import type { OutboxStatus } from './outbox-status.js';

/**
 * The relay's account of its backlog: how many outputs wait, since when, and when one last went out -
 * the backlog is stuck when outputs wait and none went out for `stuckAfterMs`.
 */
export class OutboxBacklog {
  private pending = 0;
  private oldestCommittedAt?: number;
  private lastProgressAt: number;
  private lastError?: string;

  constructor(
    private readonly stuckAfterMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.lastProgressAt = now();
  }

  /** The number of waiting outputs as counted in SQL. */
  counted(rows: number): void {
    if (this.pending === 0) this.lastProgressAt = this.now();
    this.pending = rows;
  }

  added(rows: number): void {
    // Waiting starts now: an idle relay has not been stuck all along.
    if (this.pending === 0) this.lastProgressAt = this.now();
    this.pending += rows;
  }

  /** Outputs produced or dead-lettered. */
  done(rows: number): void {
    if (rows === 0) return;
    this.pending = Math.max(0, this.pending - rows);
    this.lastProgressAt = this.now();
    this.lastError = undefined;
  }

  /** The commit time of the oldest waiting output, when known. */
  oldest(committedAt: number | undefined): void {
    this.oldestCommittedAt = committedAt;
  }

  failed(error: string): void {
    this.lastError = error;
  }

  get isStuck(): boolean {
    return this.pending > 0 && this.now() - this.lastProgressAt > this.stuckAfterMs;
  }

  status(): OutboxStatus {
    const now = this.now();
    if (this.pending === 0) return { pending: 0, oldestAgeMs: 0 };
    const oldestAgeMs = Math.max(0, now - (this.oldestCommittedAt ?? now));
    if (!this.isStuck) return { pending: this.pending, oldestAgeMs };
    const idleSeconds = Math.round((now - this.lastProgressAt) / 1000);
    return {
      pending: this.pending,
      oldestAgeMs,
      stuck:
        `${this.pending} committed output(s) wait in samsa_outbox and none was produced for ${idleSeconds} s` +
        (this.lastError ? `; last failure: ${this.lastError}` : ''),
    };
  }
}
