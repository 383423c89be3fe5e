/** Provide a prom-client `Registry` under this token to collect samsa's metrics in your own registry. */
export const STREAM_METRICS_REGISTRY = Symbol.for('samsa:metrics-registry');
