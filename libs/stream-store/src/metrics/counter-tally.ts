import type { Counter } from 'prom-client';

type Entry<Label extends string> = { labels: Record<Label, string>; count: number };

/**
 * Adds up a counter's increments in plain maps and hands them to prom-client when the counter is
 * read (its `collect` hook). prom-client validates and hashes the labels on every `inc()`, which
 * costs more than the handling of a small message; here an increment is three map lookups, keyed
 * by the label values in the order given, with no string built.
 */
export class CounterTally<Label extends string> {
  private readonly root = new Map<string, Map<string, Map<string, Entry<Label>>>>();
  private readonly entries: Entry<Label>[] = [];

  constructor(private readonly names: readonly [Label, Label, Label]) {}

  add(first: string, second: string, third: string, count: number): void {
    let level1 = this.root.get(first);
    if (!level1) this.root.set(first, (level1 = new Map()));
    let level2 = level1.get(second);
    if (!level2) level1.set(second, (level2 = new Map()));
    const entry = level2.get(third);
    if (entry) {
      entry.count += count;
      return;
    }
    const [a, b, c] = this.names;
    const created = { labels: { [a]: first, [b]: second, [c]: third } as Record<Label, string>, count };
    level2.set(third, created);
    this.entries.push(created);
  }

  /** Moves the pending counts into `counter`. */
  flushInto(counter: Counter<Label>): void {
    for (const entry of this.entries) {
      if (entry.count > 0) counter.inc(entry.labels, entry.count);
      entry.count = 0;
    }
  }
}
