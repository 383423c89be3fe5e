import type { RestoredPosition } from '../store/backend/journal-sql.js';

/**
 * Store keys never contain NUL (see `keys.ts`), so keys starting with it cannot collide with
 * state: a position record lives under `\0samsa.position\0<group>\0<topic>\0<partition>`.
 */
const POSITION_KEY_PREFIX = '\u0000samsa.position\u0000';

/** A consumed position as a changelog carries it, with the assignment epoch it was written under. */
export interface PositionRecord extends RestoredPosition {
  readonly epoch: number;
}

/** One id per consumed partition (group, topic, partition). */
export function positionId({ group, topic, partition }: Omit<RestoredPosition, 'offset'>): string {
  return `${group}\u0000${topic}\u0000${partition}`;
}

/**
 * The record that closes a batch's changes in a changelog: "everything up to here was committed
 * with this position". One key per consumed partition, so compaction keeps its latest value.
 */
export function positionMessage(
  position: RestoredPosition,
  epoch: number,
  partition: number,
): { key: string; value: string; partition: number } {
  const record: PositionRecord = { ...position, epoch };
  return { key: POSITION_KEY_PREFIX + positionId(position), value: JSON.stringify(record), partition };
}

export function isPositionKey(key: Buffer): boolean {
  // NUL first: a state key never starts with it, so most records are told apart by one byte.
  return key[0] === 0 && key.toString().startsWith(POSITION_KEY_PREFIX);
}

/** The position a position record holds; undefined when its value is not one (a tombstone, say). */
export function readPositionRecord(value: Buffer | null): PositionRecord | undefined {
  if (value === null) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString());
  } catch (error) {
    if (error instanceof SyntaxError) return undefined; // not written by samsa: no position
    throw error;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { group, topic, partition, offset, epoch } = parsed as Record<string, unknown>;
  if (typeof group !== 'string' || typeof topic !== 'string' || typeof offset !== 'string') return undefined;
  if (typeof partition !== 'number' || typeof epoch !== 'number') return undefined;
  return { group, topic, partition, offset, epoch };
}
