const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Milliseconds of a duration: a positive number of milliseconds, or an integer with a unit
 * (`'500ms'`, `'10s'`, `'30m'`, `'12h'`, `'7d'`). Undefined when it is neither.
 */
export function parseDuration(value: number | string): number | undefined {
  const match = typeof value === 'string' ? /^(\d+)(ms|s|m|h|d)$/.exec(value.trim()) : null;
  const ms = typeof value === 'number' ? value : match ? Number(match[1]) * UNITS[match[2]] : NaN;
  return Number.isFinite(ms) && ms > 0 && ms <= Number.MAX_SAFE_INTEGER ? ms : undefined;
}
