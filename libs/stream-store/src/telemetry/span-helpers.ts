import type { Attributes, Context, Link, Span } from '@opentelemetry/api';
import type { RecordHeaders } from '../kafka/kafka-client.interface.js';
import { headerGetter } from './header-carrier.js';
import { ATTR } from './messaging-attributes.js';
import type { OtelApiModule } from './otel-api.js';

/** At most this many links per span (the SDK's default limit): a large batch links its first records. */
export const MAX_LINKS = 128;

/**
 * A span worth keeping: recording, or carrying a valid context to propagate (a sampled-out trace still
 * propagates its decision). Without an SDK it is neither, and the caller skips the tracing work.
 */
export function isLive(api: OtelApiModule, span: Span): boolean {
  return span.isRecording() || api.trace.isSpanContextValid(span.spanContext());
}

/** The creation context a producer wrote into a record's headers (the global propagator reads it). */
export function extractFrom(
  api: OtelApiModule,
  headers: RecordHeaders,
  base: Context = api.ROOT_CONTEXT,
): Context {
  return api.propagation.extract(base, headers, headerGetter);
}

/** Links to the records' creation contexts that carry a valid span context. */
export function linksTo(api: OtelApiModule, contexts: Context[]): Link[] {
  const links: Link[] = [];
  for (const context of contexts) {
    const spanContext = api.trace.getSpanContext(context);
    if (spanContext && api.trace.isSpanContextValid(spanContext)) links.push({ context: spanContext });
    if (links.length >= MAX_LINKS) break;
  }
  return links;
}

/** Ends the span with the error recorded (status ERROR, `error.type`, an exception event). */
export function endWithError(api: OtelApiModule, span: Span, error: unknown): void {
  if (span.isRecording()) {
    const exception = error instanceof Error ? error : new Error(String(error));
    span.recordException(exception);
    span.setAttribute(ATTR.errorType, exception.constructor.name);
    span.setStatus({ code: api.SpanStatusCode.ERROR, message: exception.message });
  }
  span.end();
}

/** Runs `work` with `span` active, ending it when `work` settles. */
export function runInSpan<T>(
  api: OtelApiModule,
  parent: Context,
  span: Span,
  work: () => Promise<T>,
  onResult?: (span: Span, value: T) => Attributes | undefined,
): Promise<T> {
  return api.context.with(api.trace.setSpan(parent, span), work).then(
    (value) => {
      const attributes = onResult?.(span, value);
      if (attributes && span.isRecording()) span.setAttributes(attributes);
      span.end();
      return value;
    },
    (error: unknown) => {
      endWithError(api, span, error);
      throw error;
    },
  );
}
