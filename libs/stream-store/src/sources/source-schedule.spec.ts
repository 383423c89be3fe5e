import { describe, expect, it } from 'vitest';
import { parseInterval } from './source-schedule.js';

describe('parseInterval', () => {
  it('reads ms and durations with a unit', () => {
    expect(parseInterval(250)).toBe(250);
    expect(parseInterval('500ms')).toBe(500);
    expect(parseInterval('30s')).toBe(30_000);
    expect(parseInterval('1m')).toBe(60_000);
    expect(parseInterval('1.5h')).toBe(5_400_000);
    expect(parseInterval('1d')).toBe(86_400_000);
  });

  it('refuses what is not a positive duration', () => {
    for (const bad of [0, -1, Number.NaN, Infinity, '', '1', '1w', 'm', '0s', '-1s', '1 minute'])
      expect(parseInterval(bad)).toBeUndefined();
  });
});
