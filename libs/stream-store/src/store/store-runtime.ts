import { Inject, Injectable } from '@nestjs/common';
import { STREAM_STORE_OPTIONS } from '../constants.js';
import type { ResolvedStreamStoreOptions } from '../options/resolve-options.js';
import type { OffsetLedger } from './offset-ledger.interface.js';
import type { StoreFeature } from './store-feature.interface.js';

/** Owns the state stores of the application and their database. */
@Injectable()
export class StoreRuntime {
  private readonly features = new Map<string, StoreFeature>();

  constructor(@Inject(STREAM_STORE_OPTIONS) readonly options: ResolvedStreamStoreOptions) {}

  declare(feature: StoreFeature): void {
    this.features.set(feature.name, feature);
  }

  /** The SQL offsets ledger, when the application declared state stores. */
  async ledger(): Promise<OffsetLedger | undefined> {
    if (this.features.size === 0) return undefined;
    throw new Error('state stores: work in progress');
  }

  async close(): Promise<void> {}
}
