import type { Provider } from '@nestjs/common';
import { ConfigurationError } from '../errors/configuration.error.js';
import { OwnerCheckedStore } from '../metadata/owner-checked-store.js';
import { StoreInputs } from '../metadata/store-inputs.js';
import { StreamMetadata } from '../metadata/stream-metadata.js';
import { isSqlite } from './backend/open-database.js';
import type { StoreFeature } from './store-feature.interface.js';
import { resolveStoreSettings } from './store-settings.js';
import { getStateStoreToken } from './state-store.token.js';
import { StoreRuntime } from './store-runtime.js';

/**
 * One provider per declared store. The runtime comes from `forRoot`'s global core module; it is
 * injected as optional so that its absence is reported as what to change, not as Nest's generic
 * "can't resolve dependencies". Each store checks who owns a key before reading it outside
 * handlers: on SQLite every instance keeps its own copy, and only the owner's is current.
 */
export function createStoreProviders(stores: Array<string | StoreFeature>): Provider[] {
  return stores.map((store) => {
    const feature = typeof store === 'string' ? { name: store } : { ...store };
    return {
      provide: getStateStoreToken(feature.name),
      useFactory: (
        runtime: StoreRuntime | undefined,
        metadata: StreamMetadata | undefined,
        inputs: StoreInputs | undefined,
      ) => {
        if (!runtime || !metadata || !inputs) throw missingRoot(feature.name);
        const sqlite = isSqlite(runtime.options.store);
        const { remoteReads } = resolveStoreSettings(feature, sqlite);
        return new OwnerCheckedStore(
          runtime.declare(feature),
          metadata,
          inputs,
          sqlite && remoteReads === 'refuse',
        );
      },
      inject: [
        { token: StoreRuntime, optional: true },
        { token: StreamMetadata, optional: true },
        { token: StoreInputs, optional: true },
      ],
    };
  });
}

function missingRoot(store: string): ConfigurationError {
  return new ConfigurationError(
    `StreamStoreModule.forFeature() declares the store "${store}", but samsa is not set up: import ` +
      'StreamStoreModule.forRoot(...) (or forRootAsync) in your root module.',
  );
}
