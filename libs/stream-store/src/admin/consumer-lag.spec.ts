import { describe, expect, it } from 'vitest';
import { partitionLag } from './consumer-lag.js';

describe('partitionLag', () => {
  it('is latest − committed', () => {
    expect(partitionLag('7', '0', '10')).toBe(3);
    expect(partitionLag('10', '0', '10')).toBe(0);
  });

  it('counts from the earliest offset when nothing was committed', () => {
    expect(partitionLag('-1', '4', '10')).toBe(6);
    expect(partitionLag('-1', '0', '0')).toBe(0);
  });

  it('handles 64-bit offsets', () => {
    expect(partitionLag('9007199254740993', '0', '9007199254741000')).toBe(7);
  });

  it('is never negative', () => {
    expect(partitionLag('12', '0', '10')).toBe(0);
  });
});
