// Compiled by tsc inside the scratch app (test/e2e/pack.e2e-spec.ts), once per module resolution:
// every entry point of the packed libraries must resolve to real types, not `any`.
import { Schema, encodeEnvelope } from '@samsa/schema';
import { StreamStoreModule, StreamStoreServer } from '@samsa/stream-store';
import { createStreamTestApp, type StreamTestApp } from '@samsa/stream-store/testing';
import { StreamStoreHealthIndicator } from '@samsa/stream-store/terminus';

type IsAny<T> = 0 extends 1 & T ? true : false;
export const resolved: Array<IsAny<unknown>> = [
  false satisfies IsAny<typeof Schema>,
  false satisfies IsAny<typeof encodeEnvelope>,
  false satisfies IsAny<typeof StreamStoreModule>,
  false satisfies IsAny<typeof StreamStoreServer>,
  false satisfies IsAny<typeof createStreamTestApp>,
  false satisfies IsAny<StreamTestApp>,
  false satisfies IsAny<typeof StreamStoreHealthIndicator>,
];

export async function sendOne(): Promise<number> {
  const test: StreamTestApp = await createStreamTestApp({ options: { topicPrefix: 'pack.' } });
  await test.send('pings', ['hello']);
  const count = test.records('pings').length;
  await test.close();
  return count;
}
