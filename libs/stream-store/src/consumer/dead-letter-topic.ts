import type { EnsureTopicOptions, TopicManager } from '../publisher/topic-manager.js';
import { DEAD_LETTER_OVERHEAD_BYTES } from './dead-letter-headers.js';

const MAX_MESSAGE_BYTES = 'max.message.bytes';

/**
 * How samsa creates a dead-letter topic: like its source, so that whatever the source accepted can be
 * dead-lettered - the same partition count, and the source's own `max.message.bytes` plus room for the
 * `samsa.dlq.*` headers (a source without its own limit leaves the broker's default to both).
 */
export async function deadLetterTopicOptions(
  topics: TopicManager,
  source: string,
): Promise<EnsureTopicOptions> {
  const like = await topics.optionsLike(source, [MAX_MESSAGE_BYTES]);
  const limit = Number(like.config?.[MAX_MESSAGE_BYTES]);
  return {
    partitions: like.partitions,
    config: Number.isSafeInteger(limit)
      ? { [MAX_MESSAGE_BYTES]: String(limit + DEAD_LETTER_OVERHEAD_BYTES) }
      : {},
  };
}
