import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type {
  StreamStoreModuleAsyncOptions,
  StreamStoreModuleOptions,
} from './interfaces/stream-store-options.interface.js';
import { createStoreProviders } from './store/store.providers.js';
import type { StoreFeature } from './store/store-feature.interface.js';
import { StreamStoreCoreModule } from './stream-store-core.module.js';
import { StreamHandlerFailureFilter } from './transport/failure-capture.js';

/** Stream handlers' unhandled errors go back to the transport without Nest's ERROR line per attempt. */
const rootProviders: Provider[] = [{ provide: APP_FILTER, useClass: StreamHandlerFailureFilter }];

/**
 * samsa for Nest: `forRoot`/`forRootAsync` once in the root module (Kafka, store database,
 * schemas), `forFeature` wherever state stores are injected.
 */
@Module({})
export class StreamStoreModule {
  static forRoot(options: StreamStoreModuleOptions): DynamicModule {
    return {
      module: StreamStoreModule,
      imports: [StreamStoreCoreModule.forRoot(options)],
      providers: rootProviders,
    };
  }

  static forRootAsync(options: StreamStoreModuleAsyncOptions): DynamicModule {
    return {
      module: StreamStoreModule,
      imports: [StreamStoreCoreModule.forRootAsync(options)],
      providers: rootProviders,
    };
  }

  /**
   * Declares state stores by name (or `{ name, ttl, changelog, valueClass }`); inject with `@InjectStore(name)`.
   * Needs `forRoot`/`forRootAsync` in the root module.
   */
  static forFeature(stores: Array<string | StoreFeature>): DynamicModule {
    const providers = createStoreProviders(stores);
    return { module: StreamStoreModule, providers, exports: providers };
  }
}
