import { isObservable, lastValueFrom, type Observable } from 'rxjs';
import { HandlerTimeoutError } from '../errors/handler-timeout.error.js';
import { StreamStoreError } from '../errors/stream-store.error.js';
import type { BatchControl, KafkaRecord } from '../kafka/kafka-client.interface.js';
import { capturedFailure } from '../transport/failure-capture.js';
import { StreamContext, type StreamContextActions } from '../transport/stream-context.js';

/** The Nest-wrapped handler as the transport receives it (guards, pipes, interceptors, filters applied). */
export type NestHandler = (data: unknown, context: StreamContext) => Promise<unknown>;

export interface Invocation {
  handlerId: string;
  group: string;
  record: KafkaRecord;
  payload: unknown;
  schema?: string;
  attempt: number;
  control: BatchControl;
  timeoutMs?: number;
  publish: StreamContextActions['publish'];
}

/** A handler failed with something that is not an Error (e.g. a filter's `{ status, message }`). */
export class HandlerFailedError extends StreamStoreError {
  constructor(reason: unknown) {
    super(`Handler failed: ${describe(reason)}`, { retriable: true });
  }
}

/**
 * Calls the handler once and settles with its result, and turns a run past `timeoutMs` into a `HandlerTimeoutError` (the handler itself cannot be
 * cancelled and finishes in the background).
 */
export async function invokeHandler(handler: NestHandler, invocation: Invocation): Promise<unknown> {
  const context = new StreamContext([
    invocation.record,
    {
      heartbeat: invocation.control.heartbeat,
      handlerId: invocation.handlerId,
      group: invocation.group,
      attempt: invocation.attempt,
      publish: invocation.publish,
    },
    invocation.schema,
  ]);
  let timer: NodeJS.Timeout | undefined;
  try {
    const { timeoutMs } = invocation;
    // Without a timeout, no extra promise per call: this is the hot path.
    if (!timeoutMs) {
      const value = await handler(invocation.payload, context);
      return isObservable(value) ? await lastOf(value) : value;
    }
    const run = settle(handler(invocation.payload, context));
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HandlerTimeoutError(invocation.handlerId, timeoutMs)), timeoutMs);
    });
    return await Promise.race([run, timeout]);
  } catch (error) {
    throw originalError(context, invocation.payload, error);
  } finally {
    clearTimeout(timer);
  }
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
