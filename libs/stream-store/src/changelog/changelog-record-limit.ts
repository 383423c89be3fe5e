/**
 * What the broker accepts per record batch by default (`message.max.bytes`, 1 MiB + 12 bytes of
 * batch overhead): the limit of a changelog topic that does not set `max.message.bytes`.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

/**
 * Room for what a changelog record carries besides its key and value: the batch and record
 * overhead, the chunk headers (group and topic names up to 249 characters each) and the position
 * record that may share its batch.
 */
export const CHANGELOG_RECORD_HEADROOM = 4_096;

/** The bytes of key and value a changelog record may take under a topic's `max.message.bytes`. */
export function changelogValueLimit(maxMessageBytes: number): number {
  return Math.max(0, maxMessageBytes - CHANGELOG_RECORD_HEADROOM);
}

/** UTF-8 bytes of `key` and `json`, counted only when they may be over `limit` (3 bytes a UTF-16 unit at most). */
export function overLimit(key: string, json: string, limit: number): number | undefined {
  if ((key.length + json.length) * 3 <= limit) return undefined;
  const size = Buffer.byteLength(key) + Buffer.byteLength(json);
  return size > limit ? size : undefined;
}
