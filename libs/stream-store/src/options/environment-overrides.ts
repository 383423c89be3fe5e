import { ConfigurationError } from '../errors/configuration.error.js';
import type { StreamStoreModuleOptions } from '../interfaces/stream-store-options.interface.js';

/**
 * Environment variables that override `forRoot` options, so one build runs anywhere (and so the
 * `samsa worker` flags reach a module it did not write):
 * - `SAMSA_KAFKA_SERVERS`: brokers, comma-separated;
 * - `SAMSA_KAFKA_SETTINGS`: JSON merged into the `kafka` client settings (ssl, sasl, ...);
 * - `SAMSA_TOPIC_PREFIX`: the topic prefix.
 */
export function applyEnvironmentOverrides(
  options: StreamStoreModuleOptions,
  env: NodeJS.ProcessEnv = process.env,
): StreamStoreModuleOptions {
  const overridden = { ...options };
  if (env.SAMSA_KAFKA_SERVERS) overridden.brokers = env.SAMSA_KAFKA_SERVERS;
  if (env.SAMSA_TOPIC_PREFIX !== undefined) overridden.topicPrefix = env.SAMSA_TOPIC_PREFIX;
  if (env.SAMSA_KAFKA_SETTINGS)
    overridden.kafka = { ...options.kafka, ...parseSettings(env.SAMSA_KAFKA_SETTINGS) };
  return overridden;
}

function parseSettings(json: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new ConfigurationError(`SAMSA_KAFKA_SETTINGS is not JSON (${(error as Error).message}): ${json}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigurationError('SAMSA_KAFKA_SETTINGS must be a JSON object, e.g. {"ssl": true}');
  }
  return parsed as Record<string, unknown>;
}
