import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors/configuration.error.js';
import { StreamHandler } from './stream-handler.decorator.js';

/** Decorates `Orders.on` with the patterns, as a class declaration would at startup. */
function declare(patterns: string | string[]): void {
  class Orders {
    on() {}
  }
  const descriptor = Object.getOwnPropertyDescriptor(Orders.prototype, 'on');
  if (!descriptor) throw new Error('no method');
  StreamHandler(patterns)(Orders.prototype, 'on', descriptor);
}

function refusal(patterns: string | string[]): ConfigurationError {
  try {
    declare(patterns);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error(`${JSON.stringify(patterns)} was accepted`);
}

describe('@StreamHandler topic patterns', () => {
  it('accepts topic names and the documented globs', () => {
    expect(() => declare(['orders', 'content.*', 'log-?', 'shard[12]', 'shard[!3]'])).not.toThrow();
  });

  it.each([
    ['', 'an empty pattern matches no topic'],
    ['cfg.[', '"[" at position 4 is never closed'],
    ['cfg/{a,b}', '"/" cannot occur in a Kafka topic name'],
    ['cfg.{a,b}', 'braces are not supported; pass the alternatives as separate patterns'],
  ])('refuses %j naming the handler and what to change', (pattern, problem) => {
    const error = refusal(['orders', pattern]);
    expect(error.message).toContain(
      `@StreamHandler on Orders.on has an invalid topic pattern ${JSON.stringify(pattern)}: `,
    );
    expect(error.message).toContain(problem);
    expect(error.retriable).toBe(false);
  });

  it('refuses an empty list of patterns', () => {
    expect(refusal([]).message).toBe(
      '@StreamHandler on Orders.on names no topic; pass a topic name or a glob.',
    );
  });
});
