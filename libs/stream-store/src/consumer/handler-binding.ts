import type { StreamHandlerOptions } from '../interfaces/stream-handler-options.interface.js';
import type { RetryPolicy } from './backoff.js';
import type { NestHandler } from './handler-invoker.js';
import type { PayloadDecoder } from './payload-decoder.js';
import type { TopicMatcher } from './topic-matcher.js';

/** Everything the consume loop needs to run one `@StreamHandler` method. */
export interface HandlerBinding {
  /** `Controller.method`. */
  id: string;
  group: string;
  matcher: TopicMatcher;
  options: StreamHandlerOptions;
  retry: RetryPolicy;
  decoder: PayloadDecoder;
  handler: NestHandler;
}
