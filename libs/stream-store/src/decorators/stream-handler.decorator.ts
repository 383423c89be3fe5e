import { EventPattern } from '@nestjs/microservices';
import { isSchemaClass } from '@samsa/schema';
import { STREAM_HANDLER_METADATA, STREAM_STORE_TRANSPORT } from '../constants.js';
import { topicPatternProblem } from '../consumer/topic-matcher.js';
import { ConfigurationError } from '../errors/configuration.error.js';
import type {
  HandlerOutput,
  StreamHandlerDecoratorOptions,
  StreamHandlerOptions,
} from '../interfaces/stream-handler-options.interface.js';
import { captureFailures } from '../transport/failure-capture.js';
import { payloadParameterTypes, returnedSchema } from './payload-parameter-types.js';

/** A topic the handler sends to (`sink` or `ctx.publish`), with the schema of its messages when known. */
export interface HandlerOutputMetadata {
  topic: string;
  via: 'sink' | 'publish';
  schema?: HandlerOutput['schema'];
}

/** What `@StreamHandler` records for the transport, read back from the Nest handler's extras. */
export interface StreamHandlerMetadata {
  /** `Controller.method`: unique per handler, stable across restarts. */
  id: string;
  patterns: string[];
  /** The options, with `sink` reduced to topic names: what the consume loop reads. */
  options: StreamHandlerOptions;
  /**
   * Types of the parameters that receive the payload (see `payloadParameterTypes`); empty when the
   * handler takes records as they are. Read lazily: decorator metadata is complete only after decoration.
   */
  parameterTypes: () => unknown[];
  /** Sink and `ctx.publish` topics with their schemas (for AsyncAPI). Read lazily, like `parameterTypes`. */
  outputs?: () => HandlerOutputMetadata[];
}

/**
 * Runs the method for every message on topics matching `patterns` (fnmatch globs, topic prefix
 * applied), in its own consumer group. Invalid patterns and sinks are refused here, naming the handler.
 */
export function StreamHandler(
  patterns: string | string[],
  options: StreamHandlerDecoratorOptions = {},
): MethodDecorator {
  return (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
    const id = `${target.constructor.name}.${String(key)}`;
    const { sink, publishes, ...rest } = options;
    const sinks = checkedOutputs(id, 'sink', [sink ?? []].flat());
    const published = checkedOutputs(id, 'publishes', [publishes ?? []].flat());
    const metadata: StreamHandlerMetadata = {
      id,
      patterns: checkedPatterns(id, [patterns].flat()),
      options: { ...rest, ...(sink === undefined ? {} : { sink: sinks.map(({ topic }) => topic) }) },
      parameterTypes: () => payloadParameterTypes(target, key),
      outputs: () => [
        ...sinks.map(({ topic, schema }) => ({
          topic,
          via: 'sink' as const,
          schema: schema ?? returnedSchema(target, key),
        })),
        ...published.map(({ topic, schema }) => ({ topic, via: 'publish' as const, schema })),
      ],
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

/** Sinks and `publishes` entries as `{ topic, schema? }`, refusing what is neither a name nor `{ topic, schema }`. */
function checkedOutputs(
  id: string,
  option: 'sink' | 'publishes',
  outputs: readonly unknown[],
): { topic: string; schema?: HandlerOutput['schema'] }[] {
  return outputs.map((output) => {
    if (typeof output === 'string' && option === 'sink' && output !== '') return { topic: output };
    const { topic, schema } = (output ?? {}) as Partial<HandlerOutput>;
    if (typeof topic !== 'string' || topic === '' || !isSchemaClass(schema)) {
      const expected =
        option === 'sink'
          ? "a topic name or { topic: 'name', schema: Class }"
          : "{ topic: 'name', schema: Class }";
      throw new ConfigurationError(
        `@StreamHandler on ${id} has an invalid ${option} entry ${describe(output)}: use ${expected} with a @Schema() class.`,
      );
    }
    return { topic, schema };
  });
}

function describe(value: unknown): string {
  if (typeof value === 'function') return `class ${value.name}`;
  if (typeof value === 'object' && value !== null) {
    const { topic, schema } = value as Partial<HandlerOutput>;
    return `{ topic: ${JSON.stringify(topic)}, schema: ${typeof schema === 'function' ? schema.name : String(schema)} }`;
  }
  return JSON.stringify(value) ?? String(value);
}
