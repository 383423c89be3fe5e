/** Hook for metrics on the publishing side; the default does nothing. */
export interface PublishObserver {
  /** `count` messages were acknowledged on `topic` (the Kafka topic, with the prefix). */
  published(topic: string, count: number): void;
}

/** Optional provider of a `PublishObserver`, e.g. `{ provide: PUBLISH_OBSERVER, useValue: metrics }`. */
export const PUBLISH_OBSERVER = Symbol.for('samsa:publish-observer');

export const NO_PUBLISH_OBSERVER: PublishObserver = { published: () => undefined };
