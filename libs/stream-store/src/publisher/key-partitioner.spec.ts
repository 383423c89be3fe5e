import { describe, expect, it } from 'vitest';
import { KeyPartitioner } from './key-partitioner.js';

/** `Utils.murmur2` values asserted by Kafka's own `UtilsTest.testMurmur2` (clients/src/test/.../UtilsTest.java). */
const JAVA_MURMUR2: Array<[string, number]> = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
];

/** What the Java client's `BuiltInPartitioner.partitionForKey` returns: `Utils.toPositive(murmur2) % n`. */
const javaPartition = (hash: number, count: number) => (hash & 0x7fffffff) % count;

const COUNTS = [...Array.from({ length: 64 }, (_, i) => i + 1), 100, 997, 1_000, 4_096, 65_521];

describe('KeyPartitioner', () => {
  const partitioner = new KeyPartitioner();

  it.each(JAVA_MURMUR2)('puts %j where the Java client does, for any partition count', (key, hash) => {
    for (const count of COUNTS) {
      expect(partitioner.partition(key, count)).toBe(javaPartition(hash, count));
      expect(partitioner.partition(Buffer.from(key), count)).toBe(javaPartition(hash, count));
    }
  });

  it('is deterministic for a key', () => {
    const first = partitioner.partition('user-1', 12);
    for (let i = 0; i < 10; i++) expect(partitioner.partition('user-1', 12)).toBe(first);
  });

  it('spreads keys over every partition', () => {
    const used = new Set(Array.from({ length: 1_000 }, (_, i) => partitioner.partition(`key-${i}`, 8)));
    expect([...used].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('rejects a partition count that is not a whole number ≥ 1', () => {
    expect(() => partitioner.partition('k', 0)).toThrow(RangeError);
    expect(() => partitioner.partition('k', 1.5)).toThrow(/whole number/);
  });
});
