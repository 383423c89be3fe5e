import type { Provider } from '@nestjs/common';
import { ConfigurationError } from '../errors/configuration.error.js';
import type { StoreFeature } from './store-feature.interface.js';
import { getStateStoreToken } from './state-store.token.js';
import { StoreRuntime } from './store-runtime.js';

/**
 * One provider per declared store. The runtime comes from `forRoot`'s global core module; it is
 * injected as optional so that its absence is reported as what to change, not as Nest's generic
 * "can't resolve dependencies".
 */
export function createStoreProviders(stores: Array<string | StoreFeature>): Provider[] {
  return stores.map((store) => {
    const feature = typeof store === 'string' ? { name: store } : { ...store };
    return {
      provide: getStateStoreToken(feature.name),
      useFactory: (runtime: StoreRuntime | undefined) => {
        if (!runtime) throw missingRoot(feature.name);
        return runtime.declare(feature);
      },
      inject: [{ token: StoreRuntime, optional: true }],
    };
  });
}

function missingRoot(store: string): ConfigurationError {
  return new ConfigurationError(
    `StreamStoreModule.forFeature() declares the store "${store}", but samsa is not set up: import ` +
      'StreamStoreModule.forRoot(...) (or forRootAsync) in your root module.',
  );
}
