import picomatch from 'picomatch';
import { CHANGELOG_SUFFIX, DEAD_LETTER_SUFFIX, SCHEMA_TOPIC_PREFIX } from '../constants.js';

/**
 * fnmatch-style topic patterns, as in kafkaesk: `*` matches any run of characters including
 * dots, `?` one character, `[abc]` a set. `content.*` does not match `content`. The topic
 * prefix is applied to every pattern. samsa's own topics (dead letters, schemas, changelogs) and
 * Kafka's internal `__` topics match only when named exactly.
 */
export class TopicMatcher {
  private readonly matchers: Array<(topic: string) => boolean>;
  private readonly exact: Set<string>;

  constructor(
    readonly patterns: readonly string[],
    private readonly prefix: string,
  ) {
    const globs = patterns.filter((pattern) => picomatch.scan(pattern).isGlob);
    this.exact = new Set(patterns.filter((pattern) => !globs.includes(pattern)).map((name) => prefix + name));
    // `/` never occurs in topic names, so picomatch's `*` behaves like fnmatch's here.
    this.matchers = globs.map((glob) => picomatch(glob, { dot: true, nobrace: true, noextglob: true }));
  }

  /** Plain topic names among the patterns, prefix applied: subscribed even before they exist. */
  get exactTopics(): string[] {
    return [...this.exact];
  }

  matches(topic: string): boolean {
    if (this.exact.has(topic)) return true;
    if (!topic.startsWith(this.prefix) || isInternalTopic(topic, this.prefix)) return false;
    const name = topic.slice(this.prefix.length);
    return this.matchers.some((match) => match(name));
  }

  select(topics: Iterable<string>): string[] {
    return [...topics].filter((topic) => this.matches(topic)).sort();
  }
}

export function isInternalTopic(topic: string, prefix = ''): boolean {
  const name = topic.startsWith(prefix) ? topic.slice(prefix.length) : topic;
  return (
    topic.startsWith('__') ||
    name.startsWith(SCHEMA_TOPIC_PREFIX) ||
    name.endsWith(DEAD_LETTER_SUFFIX) ||
    name.endsWith(CHANGELOG_SUFFIX)
  );
}
