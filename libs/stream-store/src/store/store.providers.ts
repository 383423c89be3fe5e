import type { Provider } from '@nestjs/common';
import type { StoreFeature } from './store-feature.interface.js';
import { getStateStoreToken } from './state-store.token.js';
import { StoreRuntime } from './store-runtime.js';

export function createStoreProviders(stores: Array<string | StoreFeature>): Provider[] {
  return stores.map((store) => {
    const feature = typeof store === 'string' ? { name: store } : { ...store };
    return {
      provide: getStateStoreToken(feature.name),
      useFactory: (runtime: StoreRuntime) => runtime.declare(feature),
      inject: [StoreRuntime],
    };
  });
}
