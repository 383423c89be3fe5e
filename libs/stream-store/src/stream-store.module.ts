import { Module, type DynamicModule } from '@nestjs/common';
import type {
  StreamStoreModuleAsyncOptions,
  StreamStoreModuleOptions,
} from './interfaces/stream-store-options.interface.js';
import { createStoreProviders } from './store/store.providers.js';
import type { StoreFeature } from './store/store-feature.interface.js';
import { StreamStoreCoreModule } from './stream-store-core.module.js';

/**
 * samsa for Nest: `forRoot`/`forRootAsync` once in the root module (Kafka, store database,
 * schemas), `forFeature` wherever state stores are injected.
 */
@Module({})
export class StreamStoreModule {
  static forRoot(options: StreamStoreModuleOptions): DynamicModule {
    return { module: StreamStoreModule, imports: [StreamStoreCoreModule.forRoot(options)] };
  }

  static forRootAsync(options: StreamStoreModuleAsyncOptions): DynamicModule {
    return { module: StreamStoreModule, imports: [StreamStoreCoreModule.forRootAsync(options)] };
  }

  /** Declares state stores by name (or `{ name, ttl, changelog, valueClass }`); inject with `@InjectStore(name)`. */
  static forFeature(stores: Array<string | StoreFeature>): DynamicModule {
    const providers = createStoreProviders(stores);
    return { module: StreamStoreModule, providers, exports: providers };
  }
}
