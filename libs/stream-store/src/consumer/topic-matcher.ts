import picomatch from 'picomatch';
import { CHANGELOG_SUFFIX, DEAD_LETTER_SUFFIX, SCHEMA_TOPIC_PREFIX } from '../constants.js';

/**
 * fnmatch-style topic patterns, as in kafkaesk: `*` matches any run of characters including
 * dots, `?` one character, `[abc]` a set (`[a-c]` a range, `[!abc]` any other). `content.*` does not
 * match `content`. The topic prefix is applied to every pattern. samsa's own topics (dead letters,
 * schemas, changelogs) and Kafka's internal `__` topics match only when named exactly. Check
 * patterns with `topicPatternProblem` first: this class assumes they are valid.
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
    // `/` never occurs in topic names, so picomatch's `*` behaves like fnmatch's here; `posix` makes
    // `[!abc]` a negated set, as in fnmatch, instead of literal text.
    this.matchers = globs.map((glob) =>
      picomatch(glob, { dot: true, nobrace: true, noextglob: true, posix: true }),
    );
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

/** Characters a Kafka topic name can hold. */
const TOPIC_CHAR = /[a-zA-Z0-9._-]/;
/** Kafka refuses longer topic names. */
const MAX_TOPIC_LENGTH = 249;

/**
 * What is wrong with a topic pattern, as a sentence saying what to change; undefined when it is valid.
 * Valid: topic-name characters (letters, digits, `.`, `_`, `-`) and the globs `*`, `?`, `[abc]`,
 * `[a-c]`, `[!abc]`. Braces (`{a,b}`), extglobs and anything else are refused rather than half-supported:
 * list several patterns instead.
 */
export function topicPatternProblem(pattern: string): string | undefined {
  if (pattern.length === 0)
    return 'an empty pattern matches no topic; name a topic or a glob such as "orders.*"';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index];
    if (char === '*' || char === '?' || TOPIC_CHAR.test(char)) continue;
    if (char === '[') {
      const close = pattern.indexOf(']', index + 1);
      if (close === -1)
        return `"[" at position ${index} is never closed; close the set ("[ab]") or remove it`;
      const problem = setProblem(pattern.slice(index + 1, close));
      if (problem) return `the set "${pattern.slice(index, close + 1)}" ${problem}`;
      index = close;
      continue;
    }
    if (char === '{' || char === '}') {
      return 'braces are not supported; pass the alternatives as separate patterns, e.g. ["cfg.a", "cfg.b"]';
    }
    return `${JSON.stringify(char)} cannot occur in a Kafka topic name (letters, digits, ".", "_", "-"), and is no glob samsa supports ("*", "?", "[abc]")`;
  }
  if (pattern === '.' || pattern === '..') return `Kafka refuses the topic name "${pattern}"`;
  if (pattern.length > MAX_TOPIC_LENGTH && !/[*?[]/.test(pattern)) {
    return `Kafka topic names have at most ${MAX_TOPIC_LENGTH} characters`;
  }
  return undefined;
}

/** The inside of a `[...]` set: an optional leading `!`/`^`, then topic characters and ranges. */
function setProblem(members: string): string | undefined {
  const body = members.startsWith('!') || members.startsWith('^') ? members.slice(1) : members;
  if (body.length === 0) return 'is empty; list at least one character, e.g. "[ab]"';
  for (const char of body) {
    if (!TOPIC_CHAR.test(char)) {
      return `holds ${JSON.stringify(char)}, which cannot occur in a Kafka topic name (letters, digits, ".", "_", "-")`;
    }
  }
  return undefined;
}
