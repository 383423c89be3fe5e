import type { Type } from '@nestjs/common';

/** Where a source's items go: a topic (the topic prefix is applied), or a state store (`{ store: name }`). */
export type SourceSink = string | { readonly store: string };

/**
 * Options of `@StreamSource`. An item is a message (an object), or an entry `[key, value]` whose key is
 * the record key (topic) or the store key, and whose value is the message.
 */
export interface StreamSourceOptions<T extends object = object> {
  /** Where every item goes; several sinks each get every item, in the order given. Required. */
  sink: SourceSink | readonly SourceSink[];
  /**
   * Runs the source again this long after each run ended: a number of ms, or `'500ms'`, `'30s'`,
   * `'5m'`, `'1h'`, `'1d'`. Default: one run, at startup.
   */
  every?: number | string;
  /**
   * Class each message is validated against (a plain object becomes an instance of it first).
   * Default: topic sinks validate `@Schema` instances as any publish does; store sinks store what
   * they get (their store's `valueClass`, if any, still applies).
   */
  schema?: Type<object>;
  /** The key of a message item (entries carry their own). Default: none; store sinks then need entries. */
  key?: (message: T) => string;
  /**
   * What an invalid item does: `'fail'` ends the run (status `failed`, health says why), `'skip'`
   * drops it with a warning and counts it. Default `'fail'`.
   */
  onInvalid?: 'fail' | 'skip';
  /**
   * Bytes of a topic sink's messages sent but not yet acknowledged above which the source waits for
   * Kafka (backpressure: the iterable is not read meanwhile). Default 16 MiB.
   */
  maxInFlightBytes?: number;
}

/** What a source method receives: stop its waits when `signal` aborts (shutdown). */
export interface SourceRunContext {
  /** Aborted when the application shuts down. */
  readonly signal: AbortSignal;
  /** 1 for the first run, then 2, 3, ... for scheduled runs. */
  readonly run: number;
}
