import { describe, expect, it } from 'vitest';
import { OutboxBacklog } from './outbox-backlog.js';

describe('OutboxBacklog', () => {
  it('is stuck only when outputs wait and none went out for longer than the limit', () => {
    let now = 1_000;
    const backlog = new OutboxBacklog(60_000, () => now);
    now += 120_000;
    expect(backlog.status()).toEqual({ pending: 0, oldestAgeMs: 0 });

    backlog.added(3);
    backlog.oldest(now);
    now += 59_000;
    backlog.failed('out: The request included a message larger than the max message size');
    expect(backlog.status()).toEqual({ pending: 3, oldestAgeMs: 59_000 });

    now += 2_000;
    expect(backlog.status()).toEqual({
      pending: 3,
      oldestAgeMs: 61_000,
      stuck:
        '3 committed output(s) wait in samsa_outbox and none was produced for 61 s; ' +
        'last failure: out: The request included a message larger than the max message size',
    });

    backlog.done(1);
    expect(backlog.status().stuck).toBeUndefined();
    expect(backlog.status().pending).toBe(2);
  });
});
