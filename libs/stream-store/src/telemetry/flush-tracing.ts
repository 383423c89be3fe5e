import type { UnitOfWork } from '../store/unit-of-work.js';
import { ATTR, MESSAGING_SYSTEM, TRACER_NAME } from './messaging-attributes.js';
import { activeOtel } from './otel-api.js';
import { isLive, runInSpan } from './span-helpers.js';

/**
 * Runs a batch's flush (changelog records, then the SQL transaction with its offsets) inside a
 * `samsa.flush <group>` span linked to the handler spans of the batch's records. Without
 * `@opentelemetry/api` or an SDK, just runs `flush`.
 */
export function traceFlush<T>(work: UnitOfWork, flush: () => Promise<T>): Promise<T> {
  const api = activeOtel();
  if (!api) return flush();
  const writes = work.writes();
  let count = 0;
  for (const store of writes.values()) count += store.size;
  const parent = api.context.active();
  const span = api.trace.getTracer(TRACER_NAME).startSpan(
    `samsa.flush ${work.source?.group ?? ''}`.trimEnd(),
    {
      kind: api.SpanKind.INTERNAL,
      links: work.traceLinks.map((context) => ({ context })),
      attributes: {
        [ATTR.system]: MESSAGING_SYSTEM,
        [ATTR.partition]: String(work.partition),
        [ATTR.store]: [...writes.keys()],
        [ATTR.writes]: count,
        [ATTR.outputs]: work.outputs().length,
        ...(work.source
          ? { [ATTR.consumerGroup]: work.source.group, [ATTR.destination]: work.source.topic }
          : {}),
      },
    },
    parent,
  );
  if (!isLive(api, span)) return flush();
  return runInSpan(api, parent, span, flush);
}
