import { describe, expect, it } from 'vitest';
import { isInternalTopic, TopicMatcher, topicPatternProblem } from './topic-matcher.js';

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

describe('topicPatternProblem', () => {
  it.each([
    'orders',
    'content.*',
    'log-?',
    'shard[12]',
    'shard[a-c]',
    'shard[!12]',
    'shard[^12]',
    'a_b-c.D9',
    '*',
  ])('accepts %s', (pattern) => expect(topicPatternProblem(pattern)).toBeUndefined());

  it.each([
    ['', /an empty pattern matches no topic/],
    ['cfg.[', /"\[" at position 4 is never closed/],
    ['cfg.[ab', /"\[" at position 4 is never closed/],
    ['cfg.[]', /the set "\[\]" is empty/],
    ['cfg.[!]', /the set "\[!\]" is empty/],
    ['cfg.[a/b]', /the set "\[a\/b\]" holds "\/", which cannot occur in a Kafka topic name/],
    ['cfg/{a,b}', /"\/" cannot occur in a Kafka topic name/],
    ['cfg.{a,b}', /braces are not supported; pass the alternatives as separate patterns/],
    ['cfg.]', /"]" cannot occur in a Kafka topic name/],
    ['cfg a', /" " cannot occur in a Kafka topic name/],
    ['!cfg', /"!" cannot occur/],
    ['cfg.@(a|b)', /"@" cannot occur/],
    ['cfg\\.a', /"\\\\" cannot occur/],
    ['.', /Kafka refuses the topic name "."/],
    ['..', /Kafka refuses the topic name ".."/],
    ['x'.repeat(250), /at most 249 characters/],
  ])('refuses %j: %s', (pattern, problem) => {
    expect(topicPatternProblem(pattern)).toMatch(problem);
  });

  it('long globs are fine: the names they match are checked by Kafka', () => {
    expect(topicPatternProblem(`${'x'.repeat(250)}*`)).toBeUndefined();
  });
});

describe('TopicMatcher sets', () => {
  it('negates a set with ! as fnmatch does, and with ^', () => {
    expect(new TopicMatcher(['shard[!12]'], '').select(['shard1', 'shard2', 'shard3'])).toEqual(['shard3']);
    expect(new TopicMatcher(['shard[^12]'], '').select(['shard1', 'shard3'])).toEqual(['shard3']);
    expect(new TopicMatcher(['shard[a-c]'], '').select(['sharda', 'shardc', 'shardd'])).toEqual([
      'sharda',
      'shardc',
    ]);
  });
});
