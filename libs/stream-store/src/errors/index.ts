export * from './stream-store.error.js';
export * from './configuration.error.js';
export * from './handler-timeout.error.js';
export * from './stale-assignment.error.js';
export * from './schema-conflict.error.js';
export * from './invalid-state-value.error.js';
export * from './batch-flush.error.js';
export * from './dead-letter-write.error.js';
