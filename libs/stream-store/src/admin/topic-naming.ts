import { CHANGELOG_SUFFIX, DEAD_LETTER_SUFFIX, SCHEMA_TOPIC_PREFIX } from '../constants.js';
import type { TopicKind } from './cluster-view.interface.js';

/** Kafka's own topics, never shown even without a prefix. */
const KAFKA_INTERNAL = new Set(['__consumer_offsets', '__transaction_state', '__share_group_state']);

export interface OwnTopic {
  /** The Kafka topic. */
  topic: string;
  /** Without the prefix. */
  name: string;
  kind: TopicKind;
}

/** The topics under `prefix` (all but Kafka's internal ones when it is empty), sorted by name. */
export function ownTopics(topics: readonly string[], prefix: string): OwnTopic[] {
  return topics
    .filter((topic) => topic.startsWith(prefix) && topic.length > prefix.length && !KAFKA_INTERNAL.has(topic))
    .map((topic) => {
      const name = topic.slice(prefix.length);
      return { topic, name, kind: kindOf(name) };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function kindOf(name: string): TopicKind {
  if (name.startsWith(SCHEMA_TOPIC_PREFIX)) return 'schema';
  if (name.endsWith(DEAD_LETTER_SUFFIX)) return 'dead-letter';
  if (name.endsWith(CHANGELOG_SUFFIX)) return 'changelog';
  return 'stream';
}
