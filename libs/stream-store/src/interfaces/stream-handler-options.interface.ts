import type { Type } from '@nestjs/common';
import type { RetryOptions } from './retry-options.interface.js';

export interface StreamHandlerOptions {
  /** Consumer group. Default `<appId>.<Controller>.<method>`, stable across restarts. */
  group?: string;
  /** Partitions processed in parallel by this handler; order within a partition always holds. Default 1. */
  concurrency?: number;
  /** Receive all messages of one partition fetch as an array. Default false. */
  batch?: boolean;
  /** The payload class; by default the type of the `@Payload()` parameter. */
  schema?: Type<unknown>;
  /** Reject unknown properties instead of stripping them. Default false. */
  forbidUnknown?: boolean;
  /**
   * Tombstones (records with a null value: deletes on compacted topics) reach a handler that takes a
   * DTO or envelope data as a `null` payload. Default false: such a handler skips them (metrics count
   * them as skipped). Handlers of `Buffer` payloads, `@StreamRecord()` or `@Ctx()` only always get them
   * (`null`, or `record.value === null`).
   */
  tombstones?: boolean;
  /** A handler running longer than this counts as failed, in ms. Default: no limit. */
  timeout?: number;
  /** Retry policy; defaults from `forRoot({ retry })`. */
  retry?: RetryOptions;
  /**
   * Dead-letter topic: a name (prefix applied), `false` to stop the partition instead, or by default
   * `<topic>.dlq`.
   */
  deadLetter?: string | false;
  /** Where a new group starts: `earliest` (default) or `latest`. */
  start?: 'earliest' | 'latest';
  /**
   * With state stores: what happens when the offset stored in SQL lies outside the partition's log
   * (the topic was recreated, the cluster is another one, records expired unhandled). `halt` stops
   * the partition and says so in health; `earliest`/`latest` go on from the log's start/end with a
   * warning naming the gap. Default from `forRoot({ offsetReset })`, else `halt`.
   */
  offsetReset?: 'halt' | 'earliest' | 'latest';
  /** Topic(s) that receive the handler's return value. */
  sink?: string | string[];
}

/** A topic a handler sends to, with the `@Schema()` class of the messages it sends there. */
export interface HandlerOutput {
  /** Topic name (prefix applied). */
  topic: string;
  /** The `@Schema()` class of the messages; shown as the channel's message in AsyncAPI. */
  schema: Type<unknown>;
}

/**
 * What `@StreamHandler()` takes: the {@link StreamHandlerOptions}, with sinks that may name the schema of what
 * the handler returns, and the `ctx.publish` targets the handler uses.
 */
export interface StreamHandlerDecoratorOptions extends Omit<StreamHandlerOptions, 'sink'> {
  /**
   * Topic(s) that receive the handler's return value: a name, or `{ topic, schema }` to name the schema of what
   * the handler returns (AsyncAPI shows it on the sink's channel). A plain name takes the schema from the
   * method's declared return type when TypeScript emits it (a `@Schema()` class returned directly: an `async`
   * method's `Promise<T>` is emitted as `Promise`, so name the schema).
   */
  sink?: string | HandlerOutput | (string | HandlerOutput)[];
  /**
   * Topics the handler sends to with `ctx.publish()`, and the schemas it sends: documentation only (AsyncAPI
   * `send` operations); `ctx.publish()` works without it. Default: none.
   */
  publishes?: HandlerOutput | HandlerOutput[];
}
