/**
 * Attribute names of OpenTelemetry's messaging semantic conventions (and samsa's own, namespaced
 * `samsa.`), written out so that samsa needs no semantic-conventions package.
 */
export const ATTR = {
  system: 'messaging.system',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  destination: 'messaging.destination.name',
  partition: 'messaging.destination.partition.id',
  offset: 'messaging.kafka.offset',
  consumerGroup: 'messaging.consumer.group.name',
  batchCount: 'messaging.batch.message_count',
  tombstone: 'messaging.kafka.message.tombstone',
  errorType: 'error.type',
  handler: 'samsa.handler',
  attempt: 'samsa.attempt',
  store: 'samsa.store.names',
  writes: 'samsa.store.writes',
  outputs: 'samsa.outputs',
  deadLetterAttempts: 'samsa.dlq.attempts',
  source: 'samsa.source',
} as const;

export const MESSAGING_SYSTEM = 'kafka';

/** The tracer's name: spans show which library made them. */
export const TRACER_NAME = '@samsa/stream-store';

/** Span events' names. */
export const EVENTS = { deadLetter: 'samsa.dead_letter' } as const;
