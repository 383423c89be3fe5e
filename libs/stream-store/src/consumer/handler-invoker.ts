import { isObservable, lastValueFrom, type Observable } from 'rxjs';
import { HandlerTimeoutError } from '../errors/handler-timeout.error.js';
import { StreamStoreError } from '../errors/stream-store.error.js';
import type { BatchControl, KafkaRecord } from '../kafka/kafka-client.interface.js';
import { traceHandler } from '../telemetry/consumer-tracing.js';
import { activeOtel } from '../telemetry/otel-api.js';
import { capturedFailure } from '../transport/failure-capture.js';
import { StreamContext, type StreamContextActions } from '../transport/stream-context.js';

/** The Nest-wrapped handler as the transport receives it (guards, pipes, interceptors, filters applied). */
export type NestHandler = (data: unknown, context: StreamContext) => Promise<unknown>;

export interface Invocation {
  handlerId: string;
  group: string;
  record: KafkaRecord;
  /** A batch handler's records (`record` is the last of them); a record handler's is `record` alone. */
  records?: readonly KafkaRecord[];
  payload: unknown;
  schema?: string;
  attempt: number;
  control: BatchControl;
  timeoutMs?: number;
  /** How long a timed-out run may take to settle after its signal aborted, in ms. */
  timeoutGraceMs: number;
  /** Aborted when the handler's consumer stops (shutdown, rejoin, revocation). */
  stopping: AbortSignal;
  publish: StreamContextActions['publish'];
  /**
   * Takes the handler's result (to its sinks) while the handler's span is still current, so that its
   * outputs carry the handler's trace context.
   */
  emitOutputs?: (output: unknown) => void;
}

/** A handler failed with something that is not an Error (e.g. a filter's `{ status, message }`). */
export class HandlerFailedError extends StreamStoreError {
  constructor(reason: unknown) {
    super(`Handler failed: ${describe(reason)}`, { retriable: true });
  }
}

/**
 * Calls the handler once and settles with its result. A run past `timeoutMs` has its `ctx.signal`
 * aborted and fails with `HandlerTimeoutError` once it settled - or once the grace ran out, the
 * error then carrying the run still going (`stillRunning`): nothing else of the partition may run
 * beside it.
 */
export function invokeHandler(handler: NestHandler, invocation: Invocation): Promise<unknown> {
  // Without an OpenTelemetry SDK, nothing to trace: no span, no extra closure on the hot path.
  if (!activeOtel()) return runHandler(handler, invocation);
  const { handlerId, group, record, records, attempt } = invocation;
  return traceHandler({ handlerId, group, records: records ?? [record], attempt }, () =>
    runHandler(handler, invocation),
  );
}

async function runHandler(handler: NestHandler, invocation: Invocation): Promise<unknown> {
  const { timeoutMs, emitOutputs } = invocation;
  const timeout = timeoutMs ? new AbortController() : undefined;
  const context = new StreamContext([
    invocation.record,
    {
      heartbeat: invocation.control.heartbeat,
      handlerId: invocation.handlerId,
      group: invocation.group,
      attempt: invocation.attempt,
      publish: invocation.publish,
      signal: timeout
        ? () => AbortSignal.any([invocation.stopping, timeout.signal])
        : () => invocation.stopping,
    },
    invocation.schema,
  ]);
  try {
    // Without a timeout, no extra promise per call: this is the hot path.
    let output: unknown;
    if (!timeoutMs || !timeout) {
      const value = await handler(invocation.payload, context);
      output = isObservable(value) ? await lastOf(value) : value;
    } else {
      output = await runWithTimeout(
        settle(handler(invocation.payload, context)),
        timeout,
        invocation,
        timeoutMs,
      );
    }
    emitOutputs?.(output);
    return output;
  } catch (error) {
    throw originalError(context, invocation.payload, error);
  }
}

async function runWithTimeout(
  run: Promise<unknown>,
  timeout: AbortController,
  invocation: Invocation,
  timeoutMs: number,
): Promise<unknown> {
  const expired = Symbol('expired');
  const first = await raceWith(run, timeoutMs, expired);
  if (first !== expired) return first;
  const error = new HandlerTimeoutError(invocation.handlerId, timeoutMs);
  timeout.abort(error);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  const late = await raceWith(settled, invocation.timeoutGraceMs, expired);
  throw late === expired ? new HandlerTimeoutError(invocation.handlerId, timeoutMs, settled) : error;
}

/** The value of `promise`, or `marker` after `ms` (rejections pass through). */
function raceWith<T, M>(promise: Promise<T>, ms: number, marker: M): Promise<T | M> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<M>((resolve) => (timer = setTimeout(() => resolve(marker), ms)));
  return Promise.race([promise, elapsed]).finally(() => clearTimeout(timer));
}

async function settle(result: Promise<unknown>): Promise<unknown> {
  const value = await result;
  return isObservable(value) ? lastOf(value) : value;
}

/** A handler may return an Observable (Nest style): its last value is the result. */
function lastOf(value: Observable<unknown>): Promise<unknown> {
  return lastValueFrom(value, { defaultValue: undefined });
}

function originalError(context: StreamContext, payload: unknown, error: unknown): Error {
  if (error instanceof HandlerTimeoutError) return error;
  const captured = capturedFailure(context, payload) ?? error;
  return captured instanceof Error ? captured : new HandlerFailedError(captured);
}

function describe(reason: unknown): string {
  if (reason && typeof reason === 'object' && 'message' in reason) return String(reason.message);
  return String(reason);
}
