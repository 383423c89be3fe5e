import type { RecordHeaders } from '../kafka/kafka-client.interface.js';
import { headerSetter } from './header-carrier.js';
import { ATTR, MESSAGING_SYSTEM, TRACER_NAME } from './messaging-attributes.js';
import { activeOtel, otelApi } from './otel-api.js';
import { isLive, runInSpan } from './span-helpers.js';

/** Marks the context of a samsa `send` span: records prepared inside it carry that span. */
const SENDING = otelApi?.createContextKey('samsa.sending');

/** The header W3C trace context travels in; a record that has it keeps the caller's own. */
const TRACEPARENT = 'traceparent';

/** Where a send went, for the span's attributes. */
export interface SentTo {
  partition: number;
  offset: string;
}

/**
 * Runs a publish inside a `send <topic>` PRODUCER span (OpenTelemetry messaging conventions); the
 * records it prepares carry the span's context in their headers. Without `@opentelemetry/api` or an
 * SDK, just runs `send`.
 */
export function traceSend<T extends SentTo>(
  topic: string,
  count: number,
  send: () => Promise<T>,
): Promise<T> {
  const api = activeOtel();
  if (!api || !SENDING) return send();
  const parent = api.context.active();
  const span = api.trace.getTracer(TRACER_NAME).startSpan(
    `send ${topic}`,
    {
      kind: api.SpanKind.PRODUCER,
      attributes: {
        [ATTR.system]: MESSAGING_SYSTEM,
        [ATTR.operationType]: 'send',
        [ATTR.operationName]: 'send',
        [ATTR.destination]: topic,
        ...(count > 1 ? { [ATTR.batchCount]: count } : {}),
      },
    },
    parent,
  );
  if (!isLive(api, span)) return send();
  return runInSpan(api, parent.setValue(SENDING, true), span, send, (_, sent) =>
    sent.partition >= 0
      ? { [ATTR.partition]: String(sent.partition), [ATTR.offset]: Number(sent.offset) }
      : undefined,
  );
}

/**
 * The trace headers of a record being prepared for `topic`: the current `send` span's context, or
 * else a `create <topic>` PRODUCER span's, child of whatever span is current (a handler's for
 * `ctx.publish` and sinks), so each record has its own creation context. Empty without an SDK, or
 * when the caller set `traceparent` itself.
 */
export function traceHeaders(
  topic: string,
  headers: RecordHeaders | undefined,
): Record<string, string> | undefined {
  const api = activeOtel();
  if (!api || !SENDING || (headers && Object.hasOwn(headers, TRACEPARENT))) return undefined;
  const active = api.context.active();
  const carrier: Record<string, string> = {};
  if (active.getValue(SENDING)) {
    api.propagation.inject(active, carrier, headerSetter);
  } else {
    const span = api.trace.getTracer(TRACER_NAME).startSpan(
      `create ${topic}`,
      {
        kind: api.SpanKind.PRODUCER,
        attributes: {
          [ATTR.system]: MESSAGING_SYSTEM,
          [ATTR.operationType]: 'create',
          [ATTR.operationName]: 'create',
          [ATTR.destination]: topic,
        },
      },
      active,
    );
    if (!isLive(api, span)) return undefined;
    api.propagation.inject(api.trace.setSpan(active, span), carrier, headerSetter);
    span.end();
  }
  return Object.keys(carrier).length > 0 ? carrier : undefined;
}
