/** Every default of samsa, with its unit, in one place. */
export const DEFAULTS = {
  clientId: 'samsa',
  topicPrefix: '',
  sqliteDatabase: 'state.sqlite',
  subscriptionRefreshMs: 30_000,
  shutdownTimeoutMs: 30_000,
  concurrency: 1,
  retry: { attempts: 3, initialDelayMs: 200, maxDelayMs: 5_000 },
  /** How long a timed-out handler may take to stop after its `ctx.signal` aborts before its partition shows as stuck, in ms. */
  timeoutGraceMs: 5_000,
  /** Waiting for an unreachable broker or database: backoff from 200 ms to 5 s, for as long as it takes. */
  infrastructureBackoff: { attempts: Number.MAX_SAFE_INTEGER, initialDelayMs: 200, maxDelayMs: 5_000 },
  /**
   * An assigned partition with records waiting that finished no batch for this long is reported
   * degraded ("no progress"), and unhealthy past `partitionStuckMs`, whatever holds it up, in ms.
   */
  partitionStallMs: 20_000,
  partitionStuckMs: 300_000,
  /** A consumer restarted this many times in a row without finishing a batch is reported unhealthy. */
  consumerRestartsUnhealthy: 3,
  topicPartitions: 3,
  topicReplicationFactor: 3,
  sessionTimeoutMs: 30_000,
  heartbeatIntervalMs: 3_000,
  /** Publish batches flush at whichever comes first: messages, bytes (512 KiB), or linger in ms. */
  publishBatch: { maxMessages: 500, maxBytes: 512 * 1024, lingerMs: 20, maxQueuedBytes: 16 * 1024 * 1024 },
  /** How long a topic's partition count is trusted before it is refreshed in the background, in ms. */
  partitionCountMaxAgeMs: 300_000,
} as const;
