import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { type Observable, throwError } from 'rxjs';

const failures = new WeakMap<object, unknown>();
/** Errors that `@StreamHandler` methods threw (weakly held: nothing outlives its error). */
const thrownByHandlers = new WeakSet<object>();

/**
 * Wraps a handler method so the error it throws is remembered against its object arguments (the
 * context, the payload). Nest's RPC exception filter replaces an unknown error with
 * `{ status, message }`, but the transport needs the original (class and message for dead-letter
 * headers, `retriable`). A wrapper costs nothing on success, unlike an interceptor, which would
 * put every message through an rxjs pipeline. Metadata of earlier decorators, the name and the
 * arity (Nest reads it to find the payload parameter) are carried over.
 */
export function captureFailures<T extends (...args: never[]) => unknown>(method: T): T {
  const wrapped = function (this: unknown, ...args: never[]) {
    try {
      const result = method.apply(this, args);
      return result instanceof Promise ? result.catch((error: unknown) => remember(args, error)) : result;
    } catch (error) {
      return remember(args, error);
    }
  };
  for (const key of Reflect.getOwnMetadataKeys(method)) {
    Reflect.defineMetadata(key, Reflect.getOwnMetadata(key, method), wrapped);
  }
  Object.defineProperty(wrapped, 'name', { value: method.name });
  Object.defineProperty(wrapped, 'length', { value: method.length });
  return wrapped as unknown as T;
}

function remember(args: unknown[], error: unknown): never {
  for (const arg of args) if (typeof arg === 'object' && arg !== null) failures.set(arg, error);
  if (typeof error === 'object' && error !== null) thrownByHandlers.add(error);
  throw error;
}

/** The original error of a failed call that received `context` or `payload`, if the wrapper saw it. */
export function capturedFailure(context: object, payload: unknown): unknown {
  return (
    failures.get(context) ??
    (typeof payload === 'object' && payload !== null ? failures.get(payload) : undefined)
  );
}

/** `error instanceof StreamHandlerFailure` holds exactly for errors a `@StreamHandler` method threw. */
export abstract class StreamHandlerFailure {
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && thrownByHandlers.has(value);
  }
}

/**
 * The last resort for errors a stream handler threw that no filter of the application caught: it hands
 * the original error back to the transport, which retries, logs it (one WARN per attempt, one ERROR when
 * dead-lettered) and dead-letters it. Without it, Nest's default RPC filter logs an `RpcExceptionsHandler`
 * ERROR on every attempt. Registered as a global filter by `StreamStoreModule.forRoot`: filters on the
 * method, the controller or from `app.useGlobalFilters()` come first; errors of other transports and of
 * HTTP never match it.
 */
@Catch(StreamHandlerFailure)
export class StreamHandlerFailureFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
