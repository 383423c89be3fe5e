const failures = new WeakMap<object, unknown>();

/**
 * Wraps a handler method so the error it throws is remembered against its object arguments (the
 * context, the payload). Nest's RPC exception filter replaces an unknown error with
 * `{ status, message }`, but the transport needs the original (class and message for dead-letter
 * headers, `retriable`). A wrapper costs nothing on success, unlike an interceptor, which would
 * put every message through an rxjs pipeline. Metadata of earlier decorators is carried over.
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
  return wrapped as unknown as T;
}

function remember(args: unknown[], error: unknown): never {
  for (const arg of args) if (typeof arg === 'object' && arg !== null) failures.set(arg, error);
  throw error;
}

/** The original error of a failed call that received `context` or `payload`, if the wrapper saw it. */
export function capturedFailure(context: object, payload: unknown): unknown {
  return (
    failures.get(context) ??
    (typeof payload === 'object' && payload !== null ? failures.get(payload) : undefined)
  );
}
