import type { BrokerReachability } from './broker-reachability.js';

/** What consumers and producers of KafkaJS share: network instrumentation events. */
interface Instrumented {
  readonly events: { readonly REQUEST: string; readonly REQUEST_TIMEOUT: string };
  on(eventName: string, listener: (event: { payload: RequestTimeoutPayload }) => void): unknown;
}

interface RequestTimeoutPayload {
  apiName?: string;
  broker?: string;
}

/** Every response a KafkaJS client gets is an answer; every request that timed out is a failure. */
export function reportRequests(client: Instrumented, reachability: BrokerReachability): void {
  client.on(client.events.REQUEST, () => reachability.answered());
  client.on(client.events.REQUEST_TIMEOUT, ({ payload }) =>
    reachability.failed(`${payload.apiName ?? 'a'} request to ${payload.broker ?? 'the broker'} timed out`),
  );
}
