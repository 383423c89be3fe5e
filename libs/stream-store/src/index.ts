// Module and configuration
export { StreamStoreModule } from './stream-store.module.js';
export type {
  StoreConnectionOptions,
  StreamStoreModuleAsyncOptions,
  StreamStoreModuleOptions,
  StreamStoreOptionsFactory,
} from './interfaces/stream-store-options.interface.js';
export type {
  StreamHandlerOptions,
  StreamHandlerDecoratorOptions,
  HandlerOutput,
} from './interfaces/stream-handler-options.interface.js';
export type { RetryOptions } from './interfaces/retry-options.interface.js';
export { STREAM_STORE_TRANSPORT } from './constants.js';

// Handlers
export { StreamHandler } from './decorators/stream-handler.decorator.js';
export { StreamRecord } from './decorators/stream-record.decorator.js';
export { StreamContext } from './transport/stream-context.js';
export { StreamStoreServer, type HandlerStatus } from './transport/stream-store.server.js';
export { DEAD_LETTER_HEADERS } from './consumer/dead-letter.js';
export { BatchItemFailures, type BatchItemFailure } from './consumer/batch-item-failures.js';
export { startStreamWorker, type StreamWorkerOptions } from './worker/stream-worker.js';

// State stores
export { InjectStore } from './decorators/inject-store.decorator.js';
export { getStateStoreToken } from './store/state-store.token.js';
export type { StateStore, EntriesOptions } from './store/state-store.interface.js';
export type { StoreFeature, RemoteReads } from './store/store-feature.interface.js';
export { StreamMetadata } from './metadata/stream-metadata.js';
export type { KeyOwner, OwnerQuery } from './metadata/key-owner.interface.js';
export { Changelogs } from './changelog/changelogs.js';
export type { RestoreProgress } from './changelog/changelog-restorer.js';
export { CHANGELOG_HEADERS } from './changelog/changelog-naming.js';

// Publishing and the cluster view
export * from './publisher/index.js';
export * from './admin/index.js';

// Operations
export { StreamMetrics } from './metrics/stream-metrics.js';
export { StreamHealth, type StreamHealthReport } from './health/stream-health.js';
export type { OutboxStatus } from './consumer/outbox-status.js';
export { STREAM_METRICS_REGISTRY } from './metrics/metrics.tokens.js';
export type { PartitionLag } from './metrics/consumer-lag.js';

// AsyncAPI
export * from './asyncapi/index.js';
export type { InspectReport, PublishedSchema } from './cli/inspect-report.js';
export type { StoreSize } from './cli/store-sizes.js';

// Kafka client seam
export type * from './kafka/kafka-client.interface.js';
export { KafkaConnections } from './kafka/kafka-connections.js';
export { KafkajsClient } from './kafka/kafkajs/kafkajs-client.js';

// Sources
export * from './sources/index.js';

// Errors
export * from './errors/index.js';
export { HandlerFailedError } from './consumer/handler-invoker.js';
export { classifyFailure, type FailureKind } from './errors/failure-kind.js';
