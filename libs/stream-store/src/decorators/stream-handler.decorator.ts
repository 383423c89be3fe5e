import { EventPattern } from '@nestjs/microservices';
import { STREAM_HANDLER_METADATA, STREAM_STORE_TRANSPORT } from '../constants.js';
import { topicPatternProblem } from '../consumer/topic-matcher.js';
import { ConfigurationError } from '../errors/configuration.error.js';
import type { StreamHandlerOptions } from '../interfaces/stream-handler-options.interface.js';
import { captureFailures } from '../transport/failure-capture.js';
import { payloadParameterTypes } from './payload-parameter-types.js';

/** What `@StreamHandler` records for the transport, read back from the Nest handler's extras. */
export interface StreamHandlerMetadata {
  /** `Controller.method`: unique per handler, stable across restarts. */
  id: string;
  patterns: string[];
  options: StreamHandlerOptions;
  /**
   * Types of the parameters that receive the payload (see `payloadParameterTypes`); empty when the
   * handler takes records as they are. Read lazily: decorator metadata is complete only after decoration.
   */
  parameterTypes: () => unknown[];
}

/**
 * Runs the method for every message on topics matching `patterns` (fnmatch globs, topic prefix
 * applied), in its own consumer group. Invalid patterns are refused here, naming the handler.
 */
export function StreamHandler(
  patterns: string | string[],
  options: StreamHandlerOptions = {},
): MethodDecorator {
  return (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
    const id = `${target.constructor.name}.${String(key)}`;
    const metadata: StreamHandlerMetadata = {
      id,
      patterns: checkedPatterns(id, [patterns].flat()),
      options: { ...options },
      parameterTypes: () => payloadParameterTypes(target, key),
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

function checkedPatterns(id: string, patterns: string[]): string[] {
  if (patterns.length === 0) {
    throw new ConfigurationError(`@StreamHandler on ${id} names no topic; pass a topic name or a glob.`);
  }
  for (const pattern of patterns) {
    const problem = topicPatternProblem(pattern);
    if (problem) {
      throw new ConfigurationError(
        `@StreamHandler on ${id} has an invalid topic pattern ${JSON.stringify(pattern)}: ${problem}.`,
      );
    }
  }
  return patterns;
}
