import type { SchemaRegistry } from '@samsa/schema';
import type { StreamHandlerMetadata } from '../decorators/stream-handler.decorator.js';

/** What goes into the document besides schemas and handlers. */
export interface AsyncApiOptions {
  /** `info.title`. Default: the application's `appId`, else `samsa application`. */
  title?: string;
  /** `info.version`: the version of the API described, not of AsyncAPI. Default `1.0.0`. */
  version?: string;
  /** `info.description`. Default: a line saying samsa generated the document. */
  description?: string;
  /** Prefix of every channel address, as in `forRoot({ topicPrefix })`. Default `''` (from the app: its prefix). */
  topicPrefix?: string;
  /** Bootstrap brokers, `host:port`, one server each. Default: none (from the app: its brokers). */
  brokers?: readonly string[];
  /**
   * Prefix of the default consumer groups (`<appId>.<Controller>.<method>`), shown in the receive operations' Kafka
   * bindings. Default: none, so only explicit `group` options are shown (from the app: its appId).
   */
  appId?: string;
}

/** The input of `generateAsyncApi` when no Nest application is at hand. */
export interface AsyncApiSource {
  /** Registered schemas; never changed (handler payload classes are added to a copy). */
  registry: SchemaRegistry;
  /** What `@StreamHandler` recorded for each handler. */
  handlers: readonly StreamHandlerMetadata[];
  options?: AsyncApiOptions;
}
