import type { KafkaRecord } from '../kafka/kafka-client.interface.js';
import { currentUnitOfWork } from '../store/unit-of-work.js';
import { ATTR, MESSAGING_SYSTEM, TRACER_NAME } from './messaging-attributes.js';
import { activeOtel } from './otel-api.js';
import { extractFrom, isLive, linksTo, runInSpan } from './span-helpers.js';

export interface HandlerCall {
  handlerId: string;
  group: string;
  /** The records the call handles: one, or a batch handler's items. */
  records: readonly KafkaRecord[];
  attempt: number;
}

/**
 * Runs a handler call inside a `process <topic>` CONSUMER span (OpenTelemetry messaging conventions):
 * linked to each record's creation context (from its `traceparent` header), and for a single record
 * also its child, so a trace runs from the producer through the handler to what it publishes. Inside a
 * handler with state stores, the span is noted for the batch's flush span to link to. Without
 * `@opentelemetry/api` or an SDK, just runs `call`.
 */
export function traceHandler<T>(call: HandlerCall, run: () => Promise<T>): Promise<T> {
  const api = activeOtel();
  if (!api) return run();
  const { records } = call;
  const first = records[0];
  const creations = records.map((record) => extractFrom(api, record.headers));
  // One record: the handler's span continues the producer's trace. A batch: it links them all.
  const parent = records.length === 1 ? creations[0] : api.context.active();
  const span = api.trace.getTracer(TRACER_NAME).startSpan(
    `process ${first.topic}`,
    {
      kind: api.SpanKind.CONSUMER,
      links: linksTo(api, creations),
      attributes: {
        [ATTR.system]: MESSAGING_SYSTEM,
        [ATTR.operationType]: 'process',
        [ATTR.operationName]: 'process',
        [ATTR.destination]: first.topic,
        [ATTR.partition]: String(first.partition),
        [ATTR.consumerGroup]: call.group,
        [ATTR.handler]: call.handlerId,
        [ATTR.attempt]: call.attempt,
        ...(records.length === 1
          ? {
              [ATTR.offset]: Number(first.offset),
              ...(first.value === null ? { [ATTR.tombstone]: true } : {}),
            }
          : { [ATTR.batchCount]: records.length }),
      },
    },
    parent,
  );
  if (!isLive(api, span)) return run();
  currentUnitOfWork.getStore()?.linkTrace(span.spanContext());
  return runInSpan(api, parent, span, run);
}
