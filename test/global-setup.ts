import type { TestProject } from 'vitest/node';
// Plain ESM script shared with `npm run kafka`; typed through its JSDoc.
import { ensureKafka } from '../scripts/kafka/broker.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Comma-separated `host:port` list of the broker the e2e tests use. */
    kafkaBrokers: string;
  }
}

/** One broker per test run: KAFKA_BROKERS when set, else a local one (see scripts/kafka/broker.mjs). */
export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  const hadEnv = process.env.KAFKA_BROKERS !== undefined;
  const started = Date.now();
  const kafka = await ensureKafka();
  if (!kafka.external) {
    console.log(`[e2e] local Kafka on ${kafka.brokers} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  provide('kafkaBrokers', kafka.brokers);
  // Processes a test spawns (workers, the demo app) cannot call inject(); they inherit the env.
  // Set it only when it was unset, so an explicit KAFKA_BROKERS always wins.
  if (!hadEnv) process.env.KAFKA_BROKERS = kafka.brokers;

  return async () => {
    if (!hadEnv) delete process.env.KAFKA_BROKERS;
    await kafka.stop();
  };
}
