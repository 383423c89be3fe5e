/** Every default of samsa, with its unit, in one place. */
export const DEFAULTS = {
  clientId: 'samsa',
  topicPrefix: '',
  sqliteDatabase: 'state.sqlite',
  subscriptionRefreshMs: 30_000,
  shutdownTimeoutMs: 30_000,
  concurrency: 1,
  retry: { attempts: 3, initialDelayMs: 200, maxDelayMs: 5_000 },
  topicPartitions: 3,
  topicReplicationFactor: 3,
  sessionTimeoutMs: 30_000,
  heartbeatIntervalMs: 3_000,
} as const;
