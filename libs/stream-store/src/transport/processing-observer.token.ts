/** Optional provider of a `ProcessingObserver` (metrics) for the transport. */
export const PROCESSING_OBSERVER = Symbol.for('samsa:processing-observer');
