import { CliUsageError } from './cli-usage.error.js';

/** The Kafka flags the commands share. */
export interface KafkaFlags {
  kafkaServers?: string;
  kafkaSettings?: string;
  topicPrefix?: string;
}

const BROKER = /^[^:\s,]+:\d+$/;

/** `a:9092,b:9092` → `['a:9092', 'b:9092']`; anything but `host:port`s is a usage error naming `flag`. */
export function parseBrokers(servers: string, flag = '--kafka-servers'): string[] {
  const brokers = servers
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
  const bad = brokers.find((broker) => !BROKER.test(broker));
  if (brokers.length === 0 || bad !== undefined) {
    throw new CliUsageError(
      `${flag} must list host:port pairs separated by commas, e.g. localhost:9092; got ${JSON.stringify(servers)}`,
    );
  }
  return brokers;
}

/** Checks `--kafka-settings` up front: a JSON object. */
export function parseKafkaSettings(json: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new CliUsageError(`--kafka-settings is not valid JSON: ${json}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliUsageError('--kafka-settings must be a JSON object, e.g. \'{"ssl":true}\'');
  }
  return parsed as Record<string, unknown>;
}

/**
 * Checks the flags and hands them to `forRoot` through the environment (`SAMSA_KAFKA_SERVERS`, `SAMSA_KAFKA_SETTINGS`,
 * `SAMSA_TOPIC_PREFIX`), which overrides a module's own options as `samsa worker` does.
 */
export function applyKafkaFlags(flags: KafkaFlags, env: NodeJS.ProcessEnv = process.env): void {
  if (flags.kafkaServers !== undefined) env.SAMSA_KAFKA_SERVERS = parseBrokers(flags.kafkaServers).join(',');
  if (flags.kafkaSettings !== undefined) {
    parseKafkaSettings(flags.kafkaSettings);
    env.SAMSA_KAFKA_SETTINGS = flags.kafkaSettings;
  }
  if (flags.topicPrefix !== undefined) env.SAMSA_TOPIC_PREFIX = parseTopicPrefix(flags.topicPrefix);
}

/** A topic prefix: letters, digits, `.`, `_` and `-` (may be empty). */
export function parseTopicPrefix(prefix: string): string {
  if (!/^[A-Za-z0-9._-]*$/.test(prefix)) {
    throw new CliUsageError(
      `--topic-prefix may only hold letters, digits, ".", "_" and "-"; got ${JSON.stringify(prefix)}`,
    );
  }
  return prefix;
}

/** The brokers from `--kafka-servers`, else `$SAMSA_KAFKA_SERVERS`, else `$KAFKA_BROKERS`; none is a usage error. */
export function brokersFrom(flags: KafkaFlags, env: NodeJS.ProcessEnv = process.env): string[] {
  const servers = flags.kafkaServers ?? env.SAMSA_KAFKA_SERVERS ?? env.KAFKA_BROKERS;
  if (!servers) {
    throw new CliUsageError(
      'No Kafka brokers: pass --kafka-servers host:port or set SAMSA_KAFKA_SERVERS (or KAFKA_BROKERS).',
    );
  }
  return parseBrokers(servers);
}
