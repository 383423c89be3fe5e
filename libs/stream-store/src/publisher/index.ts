// Public API of the publishing side (re-exported by the lib's index.ts).
export { StreamPublisher } from './stream-publisher.js';
export { PublishBatch } from './publish-batch.js';
export { StreamTopics } from './stream-topics.js';
export { TopicManager, type EnsureTopicOptions } from './topic-manager.js';
export { KeyPartitioner } from './key-partitioner.js';
export { PUBLISH_OBSERVER, type PublishObserver } from './publish-observer.js';
export type {
  PublishBatchOptions,
  PublishOptions,
  PublishResult,
  PublishSetOptions,
} from './publish-options.interface.js';
