import type { Counter } from 'prom-client';

/**
 * Adds up a counter's increments in a plain map and hands them to prom-client when the counter is
 * read (its `collect` hook). prom-client validates and hashes the labels on every `inc()`, which
 * costs more than the handling of a small message; the tally holds one entry per label set.
 */
export class CounterTally<Label extends string> {
  private readonly pending = new Map<string, { labels: Record<Label, string>; count: number }>();

  add(key: string, labels: () => Record<Label, string>, count: number): void {
    const entry = this.pending.get(key);
    if (entry) entry.count += count;
    else this.pending.set(key, { labels: labels(), count });
  }

  /** Moves the pending counts into `counter`. */
  flushInto(counter: Counter<Label>): void {
    for (const entry of this.pending.values()) {
      if (entry.count > 0) counter.inc(entry.labels, entry.count);
      entry.count = 0;
    }
  }
}
