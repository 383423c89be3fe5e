import { describe, expect, it } from 'vitest';
import { BrokerReachability } from './broker-reachability.js';

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('BrokerReachability', () => {
  it('stays reachable while answers come, whatever fails in between', () => {
    const time = clock();
    const reachability = new BrokerReachability({ unreachableAfterMs: 10_000, now: time.now });
    for (let i = 0; i < 10; i++) {
      reachability.failed('Connection error: connect ECONNREFUSED');
      time.advance(4_000);
      reachability.answered();
    }
    expect(reachability.state()).toEqual({ reachable: true });
  });

  it('turns unreachable once nothing answered for the bound and something failed, and back at the first answer', () => {
    const time = clock();
    const reachability = new BrokerReachability({ unreachableAfterMs: 10_000, now: time.now });
    reachability.answered();
    const lastAnswer = time.now();
    time.advance(2_000);
    reachability.failed('Connection error: connect ECONNREFUSED');
    time.advance(7_999);
    expect(reachability.state().reachable).toBe(true);
    time.advance(1);
    reachability.failed('metadata probe: no answer within 5000 ms');
    expect(reachability.state()).toEqual({
      reachable: false,
      reason: 'No Kafka broker answered for 10 s: metadata probe: no answer within 5000 ms',
      since: lastAnswer,
    });
    reachability.answered();
    expect(reachability.state()).toEqual({ reachable: true });
  });

  it('does not call silence alone unreachable: an idle client with no failure is fine', () => {
    const time = clock();
    const reachability = new BrokerReachability({ unreachableAfterMs: 10_000, now: time.now });
    time.advance(60_000);
    expect(reachability.state()).toEqual({ reachable: true });
    expect(reachability.quietForMs()).toBe(60_000);
  });
});
