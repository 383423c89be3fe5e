import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { catchError, type Observable, throwError } from 'rxjs';
import { StreamContext } from './stream-context.js';

const failures = new WeakMap<StreamContext, unknown>();

/**
 * Nest's RPC exception filter replaces an unknown error with `{ status, message }`; the transport
 * needs the original (class and message for dead-letter headers, `retriable`), so it is kept here.
 */
@Injectable()
export class FailureCaptureInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const streamContext = context.switchToRpc().getContext();
    return next.handle().pipe(
      catchError((error: unknown) => {
        if (streamContext instanceof StreamContext) failures.set(streamContext, error);
        return throwError(() => error);
      }),
    );
  }
}

/** The original error a handler threw, if the interceptor saw it. */
export function capturedFailure(context: StreamContext): unknown {
  return failures.get(context);
}
