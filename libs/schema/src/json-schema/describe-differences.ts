import type { BreakingChange, CompatibilityReport } from './compare-schemas.js';

/**
 * A readable summary of a compatibility report, one change per line, e.g. for a startup error:
 * `required property added: author.email`.
 */
export function describeDifferences(report: CompatibilityReport): string {
  if (report.identical) return 'no differences';
  const lines = [
    ...report.addedRequired.map((path) => `required property added: ${path}`),
    ...report.removed.map((path) => `property removed: ${path}`),
    ...report.typeChanged.map(({ path, from, to }) => `type changed: ${path} (${from} -> ${to})`),
    ...report.addedOptional.map((path) => `optional property added: ${path}`),
    ...report.changed.map((path) => `constraints changed: ${path}`),
  ];
  return lines.join('\n');
}

/** One line per breaking change, e.g. `author.email: type changed (string -> integer)`. */
export function describeBreakingChanges(changes: readonly BreakingChange[]): string {
  return changes.map(({ path, change, from, to }) => `${path}: ${change} (${from} -> ${to})`).join('\n');
}
