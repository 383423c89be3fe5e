import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors/configuration.error.js';
import { resolveOptions } from './resolve-options.js';

describe('resolveOptions', () => {
  it('fills in documented defaults without changing the caller’s object', () => {
    const given = { brokers: 'a:9092, b:9093' };
    const resolved = resolveOptions(given);
    expect(resolved.brokers).toEqual(['a:9092', 'b:9093']);
    expect(resolved).toMatchObject({
      clientId: 'samsa',
      appId: 'samsa',
      topicPrefix: '',
      subscriptionRefreshMs: 30_000,
    });
    expect(resolved.store).toEqual({ type: 'sqlite', database: 'state.sqlite' });
    expect(given).toEqual({ brokers: 'a:9092, b:9093' });
    expect(Object.isFrozen(resolved)).toBe(true);
  });

  it('fails with a message saying what to change', () => {
    expect(() => resolveOptions({ brokers: [] })).toThrow(ConfigurationError);
    expect(() => resolveOptions({ brokers: 'localhost' })).toThrow(/"localhost" is not "host:port"/);
    expect(() => resolveOptions({ brokers: 'a:1', topicPrefix: 'dev/' })).toThrow(/topicPrefix/);
    expect(() => resolveOptions({ brokers: 'a:1', subscriptionRefreshMs: 0 })).toThrow(
      /subscriptionRefreshMs/,
    );
  });
});
