import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import { STREAM_HANDLER_METADATA, STREAM_STORE_TRANSPORT } from '../constants.js';
import type { StreamHandlerMetadata } from '../decorators/stream-handler.decorator.js';

/**
 * What `@StreamHandler` recorded for the handlers Nest bound to a samsa transport: the running `StreamStoreServer`
 * or a {@link StreamHandlerCollector}.
 */
export function streamHandlersOf(server: Server): StreamHandlerMetadata[] {
  const handlers: StreamHandlerMetadata[] = [];
  for (const handler of server.getHandlers().values()) {
    const metadata = handler.extras?.[STREAM_HANDLER_METADATA] as StreamHandlerMetadata | undefined;
    if (metadata) handlers.push(metadata);
  }
  return handlers;
}

/**
 * A transport with samsa's id that only collects the handlers Nest binds to it: it never connects, and
 * `listen` returns at once. Lets tools (`samsa asyncapi`) see an application's handlers without Kafka.
 */
export class StreamHandlerCollector extends Server implements CustomTransportStrategy {
  override readonly transportId = STREAM_STORE_TRANSPORT;

  /** The handlers bound so far, in the order Nest bound them. */
  handlers(): StreamHandlerMetadata[] {
    return streamHandlersOf(this);
  }

  listen(callback: () => void): void {
    callback();
  }

  close(): void {
    // Nothing was opened.
  }

  on(): never {
    throw new Error('StreamHandlerCollector only collects handlers; it has no events.');
  }

  unwrap<T>(): T {
    throw new Error('StreamHandlerCollector has no Kafka client; it never connects.');
  }
}
