import type { EnsureTopicOptions, TopicManager } from '../publisher/topic-manager.js';
import { DEAD_LETTER_OVERHEAD_BYTES } from './dead-letter-headers.js';

/**
 * The size limits of a topic: `max.message.bytes` bounds a record batch, and a batch larger than
 * `segment.bytes` is refused too (RECORD_LIST_TOO_LARGE).
 */
const SIZE_LIMITS = ['max.message.bytes', 'segment.bytes'];

/**
 * How samsa creates a dead-letter topic: like its source, so that whatever the source accepted can be
 * dead-lettered - the same partition count, and each size limit set on the source itself, plus room
 * for the `samsa.dlq.*` headers (a limit the source leaves to the broker stays the broker's for both).
 */
export async function deadLetterTopicOptions(
  topics: TopicManager,
  source: string,
): Promise<EnsureTopicOptions> {
  const like = await topics.optionsLike(source, SIZE_LIMITS);
  const config: Record<string, string> = {};
  for (const name of SIZE_LIMITS) {
    const limit = Number(like.config?.[name]);
    if (Number.isSafeInteger(limit)) config[name] = String(limit + DEAD_LETTER_OVERHEAD_BYTES);
  }
  return { partitions: like.partitions, config };
}
