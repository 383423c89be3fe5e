// The soak's summary: one line per invariant with its figure, then the violations (each naming
// the seed, so it can be replayed), then the run's figures.
import type { SoakReport } from './soak.js';

const MAX_LISTED = 15;

export function formatReport(report: SoakReport): string {
  const rows = report.invariants.map((invariant) => [
    invariant.violations.length === 0 ? 'ok' : 'FAIL',
    invariant.name,
    invariant.figure,
    String(invariant.violations.length),
  ]);
  const header = ['', 'invariant', 'figure', 'violations'];
  const widths = header.map((_, c) => Math.max(...[header, ...rows].map((row) => row[c].length)));
  const line = (row: string[]) => row.map((cell, c) => cell.padEnd(widths[c])).join(' | ');
  const out = [
    `soak seed ${report.seed} on ${report.store}: ${report.violations} violation(s) in ${(report.durationMs / 1000).toFixed(0)} s`,
    line(header),
    widths.map((w) => '-'.repeat(w)).join('-|-'),
    ...rows.map(line),
  ];
  for (const invariant of report.invariants.filter((i) => i.violations.length > 0)) {
    out.push('', `[seed ${report.seed}] ${invariant.name}: ${invariant.violations.length} violation(s)`);
    for (const violation of invariant.violations.slice(0, MAX_LISTED))
      out.push(`  [seed ${report.seed}] ${violation}`);
    if (invariant.violations.length > MAX_LISTED)
      out.push(`  ... and ${invariant.violations.length - MAX_LISTED} more`);
  }
  const { acknowledged, failedSends } = report.produced;
  out.push(
    '',
    `produced (acknowledged): ${acknowledged.ok} ok, ${acknowledged.poison} poison, ${acknowledged.oversized} oversized; ${failedSends} failed sends`,
    `faults: ${Object.entries(report.faults)
      .map(([kind, n]) => `${kind} ${n}`)
      .join(', ')}`,
    ...report.notes,
  );
  if (report.violations > 0)
    out.push(`worker logs and SQLite files: ${report.workDir}; replay with --seed ${report.seed}`);
  return out.join('\n');
}
