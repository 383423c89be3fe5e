const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `every` in ms: a positive number of ms, or `<number><ms|s|m|h|d>`; undefined when it is neither. */
export function parseInterval(every: number | string): number | undefined {
  if (typeof every === 'number') return Number.isFinite(every) && every > 0 ? every : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(String(every));
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2]];
  return ms > 0 ? ms : undefined;
}
