import type { PublishBatch } from '../publisher/publish-batch.js';
import type { StreamPublisher } from '../publisher/stream-publisher.js';
import type { StateStore } from '../store/state-store.interface.js';
import type { SourceSink } from './stream-source-options.interface.js';

/** One sink of one run: takes items in order, then is closed (flushed). */
export interface SinkWriter {
  /** `topic <name>` or `store <name>`, for health and metrics. */
  readonly name: string;
  /** Resolves (when it returns a promise) once the sink can take more: await it (backpressure). */
  write(key: string | undefined, message: object): Promise<void> | undefined;
  /** Everything written is acknowledged (Kafka) or stored; throws what failed. */
  close(): Promise<void>;
}

export interface SinkFactories {
  publisher: StreamPublisher;
  store: (name: string) => StateStore<unknown>;
  maxInFlightBytes?: number;
}

/** The name health and metrics show for a sink. */
export function sinkName(sink: SourceSink): string {
  return typeof sink === 'string' ? `topic ${sink}` : `store ${sink.store}`;
}

/** Opens a sink for one run. */
export function openSink(sink: SourceSink, factories: SinkFactories): SinkWriter {
  return typeof sink === 'string'
    ? new TopicSink(sink, factories.publisher.batch({ maxQueuedBytes: factories.maxInFlightBytes }))
    : new StoreSink(factories.store(sink.store));
}

/** Publishes through a batch: few requests, in order, and the source waits when too much is in flight. */
class TopicSink implements SinkWriter {
  readonly name: string;

  constructor(
    private readonly topic: string,
    private readonly batch: PublishBatch,
  ) {
    this.name = sinkName(topic);
  }

  write(key: string | undefined, message: object): Promise<void> | undefined {
    return this.batch.append(this.topic, message, key === undefined ? undefined : { key });
  }

  close(): Promise<void> {
    return this.batch[Symbol.asyncDispose]();
  }
}

/** snapstream's `Cache`: each item is a key and a value of a state store, written in order. */
class StoreSink implements SinkWriter {
  readonly name: string;

  constructor(private readonly store: StateStore<unknown>) {
    this.name = sinkName({ store: store.name });
  }

  write(key: string | undefined, message: object): Promise<void> {
    // The runner checks this first, naming the source; here it only guards the store.
    if (key === undefined) throw new TypeError(`A store sink needs a key for every item (${this.name}).`);
    return this.store.set(key, message);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
