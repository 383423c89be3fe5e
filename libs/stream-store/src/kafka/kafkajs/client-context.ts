import type { BrokerReachability } from './broker-reachability.js';

/** What a KafkajsClient shares with the consumers, producers and readers it makes. */
export interface ClientContext {
  /** Told of every answer and every failure to reach a broker. */
  readonly reachability: BrokerReachability;
  /** The error to throw for a failed connect: the same, or one that names the likely cause. */
  explainConnectFailure(error: unknown): unknown;
}
