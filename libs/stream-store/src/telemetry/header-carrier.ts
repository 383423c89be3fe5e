import type { TextMapGetter, TextMapSetter } from '@opentelemetry/api';
import type { RecordHeaders } from '../kafka/kafka-client.interface.js';

/**
 * Reads propagation fields (`traceparent`, `tracestate`, `baggage`: whatever the application's
 * propagator asks for) from Kafka record headers; a repeated header gives its first value.
 */
export const headerGetter: TextMapGetter<RecordHeaders> = {
  keys: (headers) => Object.keys(headers),
  get(headers, name) {
    if (!Object.hasOwn(headers, name)) return undefined;
    const first = [headers[name]].flat()[0];
    return first === undefined ? undefined : first.toString();
  },
};

/** Writes propagation fields as text headers. */
export const headerSetter: TextMapSetter<Record<string, string>> = {
  set(headers, name, value) {
    headers[name] = value;
  },
};
