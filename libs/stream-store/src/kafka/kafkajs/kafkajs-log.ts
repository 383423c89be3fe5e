import { Logger } from '@nestjs/common';
import kafkajs, { type LogEntry, type logCreator } from 'kafkajs';
import { SASL_LISTENER_HINT } from './sasl-listener.js';

const { logLevel } = kafkajs;

/**
 * KafkaJS's layers that log each failure they are about to retry or recover from - a request
 * answered with an error, a lost connection, a rejoin of the group - and that samsa sees the end
 * of (a thrown error, a consumer crash, health's broker reachability).
 */
const RECOVERING_LAYERS = new Set([
  'Connection',
  'ConnectionPool',
  'RequestQueue',
  'BrokerPool',
  'Cluster',
  'Runner',
]);

/**
 * Routes KafkaJS's log through Nest's logger. KafkaJS logs at ERROR every attempt that fails,
 * although it retries it: a coordinator still loading, a lost topic-creation race, a rebalance, a
 * broker restarting. Only the outcome can need someone to act, and samsa reports outcomes itself
 * (the caller gets the error; a consumer that stops for good is logged as ERROR and shown in
 * health). So an ERROR line about an attempt - from a layer that retries, or carrying a
 * `retryCount` - is logged as WARN, and a CreateTopics answer listing topics that already exist at
 * DEBUG. Other ERROR lines (a listener that threw, offsets reset
 * because they were out of range) stay ERROR.
 */
export function nestLogCreator(options: { saslConfigured: boolean }): logCreator {
  return () => {
    const logger = new Logger('KafkaJS');
    const repeats = new RepeatFilter(REPEAT_WINDOW_MS);
    return (entry: LogEntry) => {
      const { message, ...extra } = entry.log;
      let line = `${message} ${JSON.stringify(extra)}`;
      if (options.saslConfigured && /sasl/i.test(line)) line = `${line} (${SASL_LISTENER_HINT})`;
      let level = samsaLevel(entry);
      // While a broker is away every client logs the same reconnect attempt several times a second.
      if (level === logLevel.WARN && repeats.seen(`${entry.namespace} ${message}`)) level = logLevel.DEBUG;
      if (level === logLevel.ERROR) logger.error(line);
      else if (level === logLevel.WARN) logger.warn(line);
      else logger.debug(line);
    };
  };
}

/** The level samsa logs a KafkaJS entry at. */
export function samsaLevel({ namespace, level, log }: Pick<LogEntry, 'namespace' | 'level' | 'log'>): number {
  if (level !== logLevel.ERROR) return level;
  if (isTopicCreationAnswer(log)) return logLevel.DEBUG;
  const isAttempt = RECOVERING_LAYERS.has(namespace) || 'retryCount' in log;
  return isAttempt ? logLevel.WARN : logLevel.ERROR;
}

/**
 * A CreateTopics answer with per-topic errors. The usual one is a topic another replica created a moment
 * earlier (a lost race, which samsa's admin treats as success); any other error is thrown to the caller,
 * which reports it. Either way the line itself asks nobody to act.
 */
function isTopicCreationAnswer(log: LogEntry['log']): boolean {
  return (log as { error?: unknown }).error === 'Topic creation errors';
}

/** The same attempt line (namespace and message) is logged at WARN once per window, at DEBUG otherwise. */
const REPEAT_WINDOW_MS = 10_000;

/** Remembers when each key was last let through; forgets everything when it grows large. */
class RepeatFilter {
  private readonly lastAt = new Map<string, number>();

  constructor(private readonly windowMs: number) {}

  /** True when `key` was let through less than a window ago. */
  seen(key: string, now = Date.now()): boolean {
    const last = this.lastAt.get(key);
    if (last !== undefined && now - last < this.windowMs) return true;
    if (this.lastAt.size >= 1000) this.lastAt.clear();
    this.lastAt.set(key, now);
    return false;
  }
}
