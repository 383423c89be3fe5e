/**
 * Messages a group has yet to read on one partition: `latest − committed`, or `latest − earliest` when the group
 * committed nothing (`-1`) there. Never negative. Offsets are decimal strings (64-bit).
 */
export function partitionLag(committed: string, earliest: string, latest: string): number {
  const end = BigInt(latest);
  const position = BigInt(committed) < 0n ? BigInt(earliest) : BigInt(committed);
  return end > position ? Number(end - position) : 0;
}
