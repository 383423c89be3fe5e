// Turns the children's reports into medians, the ratios the targets talk about, and text tables.
import type { CaseReport, Measurement } from './support/case.js';

export interface Summary {
  case: string;
  what: string;
  status: CaseReport['status'];
  /** Why it was skipped or how it failed. */
  reason?: string;
  /** Medians over the repetitions. */
  median?: { msgsPerSec: number; mbPerSec: number; cpuPercent: number; cpuUsPerMsg: number };
  /** Medians of the case-specific numbers. */
  extra: Record<string, number>;
  peakRssMb?: number;
  reps?: Measurement[];
}

export interface Ratio {
  name: string;
  /** How it is computed, in case names. */
  formula: string;
  value?: number;
  /** The goal: at least `min`, or below `max`. Reported, never asserted. */
  target?: { min?: number; max?: number };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

export function summarize(name: string, what: string, report: CaseReport): Summary {
  if (report.status === 'skipped')
    return { case: name, what, status: 'skipped', reason: report.reason, extra: {} };
  if (report.status === 'failed')
    return { case: name, what, status: 'failed', reason: report.error, extra: {} };
  const { reps } = report;
  const extra: Record<string, number> = {};
  for (const key of new Set(reps.flatMap((rep) => Object.keys(rep.extra ?? {})))) {
    extra[key] = median(reps.map((rep) => rep.extra?.[key] ?? NaN));
  }
  return {
    case: name,
    what,
    status: 'done',
    median: {
      msgsPerSec: median(reps.map((rep) => rep.messages / rep.seconds)),
      mbPerSec: median(reps.map((rep) => rep.bytes / rep.seconds / 1e6)),
      cpuPercent: median(reps.map((rep) => (100 * rep.cpuSeconds) / rep.seconds)),
      cpuUsPerMsg: median(reps.map((rep) => (1e6 * rep.cpuSeconds) / rep.messages)),
    },
    extra,
    peakRssMb: report.peakRssMb,
    reps,
  };
}

/** The ratios of the issue, from the medians of this run. */
export function ratios(done: ReadonlyMap<string, Summary>): Ratio[] {
  const rate = (name: string) => done.get(name)?.median?.msgsPerSec;
  const over = (a?: number, b?: number) => (a === undefined || b === undefined ? undefined : a / b);
  /** Consuming and storing one after the other, each at its best: 1 / (1/consume + 1/store). */
  const ceiling = (consume?: number, store?: number) =>
    consume === undefined || store === undefined ? undefined : 1 / (1 / consume + 1 / store);
  const samsaRss = [...done.values()]
    .filter((summary) => /samsa/.test(summary.case) && summary.peakRssMb !== undefined)
    .map((summary) => summary.peakRssMb as number);
  const latency = (name: string, key: string) => done.get(name)?.extra[key];
  return [
    {
      name: 'stateless samsa / raw eachBatch, 1 KB',
      formula: 'samsa-1k / raw-batch-1k',
      value: over(rate('samsa-1k'), rate('raw-batch-1k')),
      target: { min: 0.9 },
    },
    {
      name: 'stateless samsa / raw eachBatch, 100 B',
      formula: 'samsa-100b / raw-batch-100b',
      value: over(rate('samsa-100b'), rate('raw-batch-100b')),
      target: { min: 0.9 },
    },
    {
      name: 'stateless samsa / ServerKafka + ValidationPipe',
      formula: 'samsa-1k / nest-kafka-1k',
      value: over(rate('samsa-1k'), rate('nest-kafka-1k')),
      target: { min: 3 },
    },
    {
      name: 'stateful SQLite / predicted ceiling',
      formula: 'samsa-sqlite-1k / (1 / (1/samsa-1k + 1/store-better-sqlite3))',
      value: over(rate('samsa-sqlite-1k'), ceiling(rate('samsa-1k'), rate('store-better-sqlite3'))),
      target: { min: 0.8 },
    },
    {
      name: 'stateful SQLite with changelog / without',
      formula: 'samsa-sqlite-changelog-1k / samsa-sqlite-1k',
      value: over(rate('samsa-sqlite-changelog-1k'), rate('samsa-sqlite-1k')),
    },
    {
      name: 'stateful Postgres / predicted ceiling',
      formula: 'samsa-postgres-1k / (1 / (1/samsa-1k + 1/store-pg))',
      value: over(rate('samsa-postgres-1k'), ceiling(rate('samsa-1k'), rate('store-pg'))),
    },
    {
      name: 'stateful SQLite / naive (TypeORM save, defaults)',
      formula: 'samsa-sqlite-1k / naive-sqlite-1k',
      value: over(rate('samsa-sqlite-1k'), rate('naive-sqlite-1k')),
      target: { min: 20 },
    },
    {
      name: 'stateful SQLite / naive (same WAL settings)',
      formula: 'samsa-sqlite-1k / naive-sqlite-wal-1k',
      value: over(rate('samsa-sqlite-1k'), rate('naive-sqlite-wal-1k')),
    },
    {
      name: 'batch publish / raw send',
      formula: 'publish-samsa-batch / publish-raw',
      value: over(rate('publish-samsa-batch'), rate('publish-raw')),
      target: { min: 0.9 },
    },
    {
      name: 'publish() awaited / ClientKafka.emit() awaited',
      formula: 'publish-samsa / publish-nest-emit',
      value: over(rate('publish-samsa'), rate('publish-nest-emit')),
    },
    {
      name: 'peak RSS of samsa processes, MB',
      formula: 'max peakRssMb of samsa cases',
      value: samsaRss.length > 0 ? Math.max(...samsaRss) : undefined,
      target: { max: 250 },
    },
    {
      name: 'RSS growth over the soak run (last / first fifth)',
      formula: 'samsa-soak-100b rssEndMb / rssStartMb',
      value: over(done.get('samsa-soak-100b')?.extra.rssEndMb, done.get('samsa-soak-100b')?.extra.rssStartMb),
      target: { max: 1.2 },
    },
    {
      name: 'restore / raw consume',
      formula: 'restore-samsa / restore-raw',
      value: over(rate('restore-samsa'), rate('restore-raw')),
      target: { min: 0.5 },
    },
    {
      name: 'latency p50 samsa / raw',
      formula: 'latency-samsa p50Ms / latency-raw p50Ms',
      value: over(latency('latency-samsa', 'p50Ms'), latency('latency-raw', 'p50Ms')),
    },
    {
      name: 'latency p99 samsa / raw',
      formula: 'latency-samsa p99Ms / latency-raw p99Ms',
      value: over(latency('latency-samsa', 'p99Ms'), latency('latency-raw', 'p99Ms')),
    },
  ];
}

function verdict({ value, target }: Ratio): string {
  if (value === undefined || !target) return '';
  const met =
    (target.min === undefined || value >= target.min) && (target.max === undefined || value < target.max);
  return met ? 'met' : 'MISSED';
}

const fixed = (value: number | undefined, digits: number) =>
  value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits);
const count = (value: number | undefined) =>
  value === undefined ? '-' : Math.round(value).toLocaleString('en-US');

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        i === 0 || i === cells.length - 1 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]),
      )
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

function extras(extra: Record<string, number>): string {
  return Object.entries(extra)
    .map(([key, value]) => `${key}=${fixed(value, value < 100 ? 1 : 0)}`)
    .join(' ');
}

export function casesTable(summaries: Summary[]): string {
  return table(
    ['case', 'msgs/s', 'MB/s', 'CPU %', 'CPU µs/msg', 'peak RSS MB', 'notes'],
    summaries.map((summary) => {
      const { median: m } = summary;
      const note =
        summary.status === 'done' ? extras(summary.extra) : `${summary.status}: ${firstLine(summary.reason)}`;
      return [
        summary.case,
        count(m?.msgsPerSec),
        m && m.mbPerSec > 0 ? fixed(m.mbPerSec, 1) : '-',
        fixed(m?.cpuPercent, 0),
        fixed(m?.cpuUsPerMsg, 1),
        fixed(summary.peakRssMb, 0),
        note,
      ];
    }),
  );
}

export function ratiosTable(list: Ratio[]): string {
  return table(
    ['ratio', 'value', 'target', 'verdict'],
    list.map((ratio) => [
      ratio.name,
      fixed(ratio.value, 2),
      ratio.target?.min !== undefined
        ? `≥ ${ratio.target.min}`
        : ratio.target?.max !== undefined
          ? `< ${ratio.target.max}`
          : '',
      verdict(ratio),
    ]),
  );
}

const firstLine = (text = '') => text.split('\n')[0].slice(0, 100);
