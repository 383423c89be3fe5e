import { describe, expect, it } from 'vitest';
import { isInternalTopic, TopicMatcher } from './topic-matcher.js';

describe('TopicMatcher', () => {
  it('matches fnmatch-style globs: * spans dots, ? one character, [abc] a set', () => {
    const matcher = new TopicMatcher(['content.*', 'log-?', 'shard[12]'], '');
    expect(
      matcher.select([
        'content.a',
        'content.a.b',
        'content',
        'contents',
        'log-1',
        'log-12',
        'shard1',
        'shard3',
      ]),
    ).toEqual(['content.a', 'content.a.b', 'log-1', 'shard1']);
  });

  it('applies the topic prefix to every pattern', () => {
    const matcher = new TopicMatcher(['content.*', 'orders'], 'dev.');
    expect(matcher.matches('dev.content.a')).toBe(true);
    expect(matcher.matches('content.a')).toBe(false);
    expect(matcher.matches('dev.orders')).toBe(true);
    expect(matcher.exactTopics).toEqual(['dev.orders']);
  });

  it("never lets a glob reach samsa's own topics, unless named exactly", () => {
    const matcher = new TopicMatcher(['content.*', '*'], '');
    for (const internal of [
      'content.a.dlq',
      '__schema__Content',
      'app-counts-changelog',
      '__consumer_offsets',
    ]) {
      expect(matcher.matches(internal)).toBe(false);
      expect(isInternalTopic(internal)).toBe(true);
    }
    expect(new TopicMatcher(['content.a.dlq'], '').matches('content.a.dlq')).toBe(true);
  });
});
