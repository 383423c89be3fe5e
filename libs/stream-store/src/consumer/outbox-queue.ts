import type { PendingOutput } from '../store/outbox-record.js';

/**
 * Outputs handed in by commits, in the order they were handed in, until produced. Bounded in bytes:
 * past the bound the caller forgets them and reads the outbox table instead (they are all there).
 */
export class OutboxQueue {
  private rows: PendingOutput[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get length(): number {
    return this.rows.length;
  }

  get oldest(): PendingOutput | undefined {
    return this.rows[0];
  }

  /** False, and nothing added, when the rows would pass the bound. */
  push(rows: readonly PendingOutput[]): boolean {
    const bytes = rows.reduce((sum, row) => sum + row.size, 0);
    if (this.rows.length > 0 && this.bytes + bytes > this.maxBytes) return false;
    this.rows.push(...rows);
    this.bytes += bytes;
    return true;
  }

  /**
   * Up to `limit` rows, oldest first, leaving out those of topics that must wait (and so every later row
   * of theirs too: an output never overtakes an earlier one of its topic). They stay queued until removed.
   */
  take(limit: number, waits: (topic: string) => boolean): PendingOutput[] {
    const taken: PendingOutput[] = [];
    for (const row of this.rows) {
      if (taken.length >= limit) break;
      if (!waits(row.output.topic)) taken.push(row);
    }
    return taken;
  }

  remove(ids: ReadonlySet<string>): void {
    if (ids.size === 0) return;
    this.rows = this.rows.filter((row) => !ids.has(row.id));
    this.bytes = this.rows.reduce((sum, row) => sum + row.size, 0);
  }

  clear(): void {
    this.rows = [];
    this.bytes = 0;
  }
}
