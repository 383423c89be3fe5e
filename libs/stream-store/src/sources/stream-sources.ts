import {
  Inject,
  Injectable,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { StreamMetrics } from '../metrics/stream-metrics.js';
import { StreamPublisher } from '../publisher/stream-publisher.js';
import { StoreRuntime } from '../store/store-runtime.js';
import { SourceExplorer } from './source-explorer.js';
import { SourceRunner } from './source-runner.js';
import type { SourceStatus } from './source-status.interface.js';

/**
 * Runs the application's `@StreamSource` methods: found and checked at bootstrap (a store sink that
 * was never declared fails startup), started in the background, stopped before shutdown closes Kafka
 * and the database.
 */
@Injectable()
export class StreamSources implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private runners: SourceRunner[] = [];

  constructor(
    private readonly explorer: SourceExplorer,
    private readonly publisher: StreamPublisher,
    @Inject(StoreRuntime) private readonly stores: StoreRuntime,
    @Optional() private readonly metrics?: StreamMetrics,
  ) {}

  onApplicationBootstrap(): void {
    const runners = this.explorer.explore().map(({ id, options, call }) => {
      // Resolved now: a store sink without its forFeature() fails at startup, naming the store.
      for (const sink of [options.sink].flat()) if (typeof sink !== 'string') this.stores.store(sink.store);
      return new SourceRunner(
        id,
        call,
        options,
        {
          publisher: this.publisher,
          store: (name) => this.stores.store(name),
          maxInFlightBytes: options.maxInFlightBytes,
        },
        this.metrics,
      );
    });
    this.runners = runners;
    for (const runner of runners) runner.start();
  }

  /** Before any `onApplicationShutdown`: sources stop and flush while Kafka and the database are open. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.stop()));
  }

  /** Each source's state and progress. */
  status(): SourceStatus[] {
    return this.runners.map((runner) => runner.status());
  }
}
