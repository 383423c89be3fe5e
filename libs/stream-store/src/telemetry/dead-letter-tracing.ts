import type { KafkaRecord } from '../kafka/kafka-client.interface.js';
import { ATTR, EVENTS, MESSAGING_SYSTEM, TRACER_NAME } from './messaging-attributes.js';
import { activeOtel } from './otel-api.js';
import { extractFrom, isLive, linksTo, runInSpan } from './span-helpers.js';

export interface TracedLetter {
  record: KafkaRecord;
  error: unknown;
  attempts: number;
  handler: string;
}

/**
 * Runs the write of dead letters inside a `send <dlq topic>` PRODUCER span, one `samsa.dead_letter`
 * event per letter (where it came from, the error, the attempts). The span continues the record's
 * trace (one letter) or links the records' traces. A dead letter keeps its record's headers, so its
 * `traceparent` still names the record's producer. Without `@opentelemetry/api` or an SDK, just runs
 * `send`.
 */
export function traceDeadLetters<T>(
  topic: string,
  letters: readonly TracedLetter[],
  send: () => Promise<T>,
): Promise<T> {
  const api = activeOtel();
  if (!api || letters.length === 0) return send();
  const creations = letters.map(({ record }) => extractFrom(api, record.headers));
  const parent = letters.length === 1 ? creations[0] : api.context.active();
  const span = api.trace.getTracer(TRACER_NAME).startSpan(
    `send ${topic}`,
    {
      kind: api.SpanKind.PRODUCER,
      links: linksTo(api, creations),
      attributes: {
        [ATTR.system]: MESSAGING_SYSTEM,
        [ATTR.operationType]: 'send',
        [ATTR.operationName]: 'send',
        [ATTR.destination]: topic,
        ...(letters.length > 1 ? { [ATTR.batchCount]: letters.length } : {}),
      },
    },
    parent,
  );
  if (!isLive(api, span)) return send();
  for (const { record, error, attempts, handler } of letters) {
    span.addEvent(EVENTS.deadLetter, {
      'messaging.source.name': record.topic,
      [ATTR.partition]: String(record.partition),
      [ATTR.offset]: Number(record.offset),
      [ATTR.errorType]: error instanceof Error ? error.constructor.name : typeof error,
      'exception.message': error instanceof Error ? error.message : String(error),
      [ATTR.deadLetterAttempts]: attempts,
      [ATTR.handler]: handler,
    });
  }
  return runInSpan(api, parent, span, send);
}
