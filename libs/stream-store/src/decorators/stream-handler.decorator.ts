import { EventPattern } from '@nestjs/microservices';
import { STREAM_HANDLER_METADATA, STREAM_STORE_TRANSPORT } from '../constants.js';
import type { StreamHandlerOptions } from '../interfaces/stream-handler-options.interface.js';
import { captureFailures } from '../transport/failure-capture.js';

/** What `@StreamHandler` records for the transport, read back through `StreamHandlerAccessor`. */
export interface StreamHandlerMetadata {
  /** `Controller.method`: unique per handler, stable across restarts. */
  id: string;
  patterns: string[];
  options: StreamHandlerOptions;
  /** Parameter types of the method, read lazily: decorator metadata is complete only after decoration. */
  parameterTypes: () => unknown[];
}

/**
 * Runs the method for every message on topics matching `patterns` (fnmatch globs, topic prefix
 * applied), in its own consumer group.
 */
export function StreamHandler(
  patterns: string | string[],
  options: StreamHandlerOptions = {},
): MethodDecorator {
  return (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
    const id = `${target.constructor.name}.${String(key)}`;
    const metadata: StreamHandlerMetadata = {
      id,
      patterns: [patterns].flat(),
      options: { ...options },
      parameterTypes: () => Reflect.getMetadata('design:paramtypes', target, key) ?? [],
    };
    descriptor.value = captureFailures(descriptor.value);
    // The Nest pattern is the handler id, so two handlers on one glob never chain into one.
    EventPattern(id, STREAM_STORE_TRANSPORT, { [STREAM_HANDLER_METADATA]: metadata })(
      target,
      key,
      descriptor,
    );
    return descriptor;
  };
}
