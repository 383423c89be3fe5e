import { StreamStoreError } from './stream-store.error.js';

/**
 * samsa's Prometheus metrics are asked for (`StreamMetrics.registry`, or a registry provided as
 * `STREAM_METRICS_REGISTRY`) but the package `prom-client`, an optional peer dependency of `@samsa/stream-store`,
 * is not installed. Without it the metrics hooks count nothing.
 */
export class MissingPromClientError extends StreamStoreError {
  /** The package to install. */
  readonly packageName = 'prom-client';

  constructor(
    /** What needs it, e.g. `StreamMetrics.registry`. */
    readonly need: string,
    cause?: unknown,
  ) {
    super(
      `${need} needs the package prom-client, an optional peer dependency of @samsa/stream-store: npm install prom-client`,
      { cause },
    );
  }
}
