import type { BrokerReachabilityState } from '../kafka-client.interface.js';

/**
 * Unreachable within 15 s of the last answer: a probe starts once clients were quiet for 3 s
 * (checked every 3 s) and fails within 5 s, and 10 s of silence with a failure turn the state.
 * Reachable again on the first answer: within 3 s + a connect when probes are running.
 */
export const REACHABILITY_DEFAULTS = {
  unreachableAfterMs: 10_000,
  probeIntervalMs: 3_000,
  probeTimeoutMs: 5_000,
};

export interface ReachabilitySettings {
  /** Unreachable once nothing answered for this long and something failed meanwhile, in ms. */
  unreachableAfterMs: number;
  now?: () => number;
}

/**
 * Whether the brokers answer, from what every client of the application saw: any response is an
 * answer; refused or lost connections, request timeouts and crashes for those are failures. A
 * failure turns the state unreachable only once nothing answered for `unreachableAfterMs`, so a
 * single lost connection (a leader moving, a broker restarting quickly) does not flap it; the
 * first answer turns it reachable again.
 */
export class BrokerReachability {
  private readonly now: () => number;
  private lastAnswerAt: number;
  /** The first failure since the last answer. */
  private failure?: { at: number; reason: string };

  constructor(private readonly settings: ReachabilitySettings) {
    this.now = settings.now ?? Date.now;
    this.lastAnswerAt = this.now();
  }

  answered(): void {
    this.lastAnswerAt = this.now();
    this.failure = undefined;
  }

  failed(reason: string): void {
    const at = this.now();
    // The latest reason is the one worth showing; the streak's start stays.
    this.failure = { at: this.failure?.at ?? at, reason };
  }

  /** How long no broker answered, in ms. */
  quietForMs(): number {
    return this.now() - this.lastAnswerAt;
  }

  state(): BrokerReachabilityState {
    if (!this.failure || this.quietForMs() < this.settings.unreachableAfterMs) return { reachable: true };
    return {
      reachable: false,
      reason: `No Kafka broker answered for ${Math.round(this.quietForMs() / 1000)} s: ${this.failure.reason}`,
      since: this.lastAnswerAt,
    };
  }
}
