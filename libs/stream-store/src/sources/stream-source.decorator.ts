import { SetMetadata } from '@nestjs/common';
import { ConfigurationError } from '../errors/configuration.error.js';
import { parseInterval } from './source-schedule.js';
import type { StreamSourceOptions } from './stream-source-options.interface.js';

/** Metadata key of `@StreamSource`, namespaced like the handlers'. */
export const STREAM_SOURCE_METADATA = 'samsa:stream_source';

/**
 * Runs the method at startup (and again `every` so long, if set) and sends the items of the (async)
 * iterable it returns to its sinks: topics and state stores, snapstream's `snap(iterable, sink=[...])`.
 * The method may take a `SourceRunContext` (`signal` aborts at shutdown). Works on providers and
 * controllers. Wrong options fail here, naming the method.
 *
 * ```ts
 * @StreamSource<Word>({ sink: 'words', key: (word) => word.word })
 * *words(): Iterable<Word> { ... }
 * ```
 */
export function StreamSource<T extends object = object>(options: StreamSourceOptions<T>): MethodDecorator {
  return (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
    const id = `${target.constructor.name}.${String(key)}`;
    checkOptions(id, options);
    return SetMetadata(STREAM_SOURCE_METADATA, { ...options })(target, key, descriptor);
  };
}

function checkOptions<T extends object>(id: string, options: StreamSourceOptions<T>): void {
  const sinks = [options?.sink ?? []].flat();
  if (sinks.length === 0) {
    throw new ConfigurationError(
      `@StreamSource on ${id} has no sink: give a topic ('words') or a store ({ store: 'word-counts' }).`,
    );
  }
  for (const sink of sinks) {
    const valid =
      (typeof sink === 'string' && sink.length > 0) ||
      (typeof sink === 'object' && sink !== null && typeof sink.store === 'string' && sink.store.length > 0);
    if (!valid) {
      throw new ConfigurationError(
        `@StreamSource on ${id} has an invalid sink ${JSON.stringify(sink)}: use a topic name or { store: 'name' }.`,
      );
    }
  }
  if (options.every !== undefined && parseInterval(options.every) === undefined) {
    throw new ConfigurationError(
      `@StreamSource on ${id} has an invalid \`every\` ${JSON.stringify(options.every)}: ` +
        "use ms (a positive number) or a duration such as '500ms', '30s', '5m', '1h', '1d'.",
    );
  }
  if (options.onInvalid !== undefined && options.onInvalid !== 'fail' && options.onInvalid !== 'skip') {
    throw new ConfigurationError(`@StreamSource on ${id}: onInvalid must be 'fail' or 'skip'.`);
  }
}
