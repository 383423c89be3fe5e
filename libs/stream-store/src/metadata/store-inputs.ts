import { Injectable } from '@nestjs/common';
import type { UnitOfWork } from '../store/unit-of-work.js';
import { sameInput, type StoreInput } from './store-input.js';

/**
 * Which handler groups and input topics write each store, learned as handlers write: a store is
 * keyed like the input its writes come from. Noted once per store and batch.
 */
@Injectable()
export class StoreInputs {
  private readonly inputs = new Map<string, StoreInput[]>();
  private readonly noted = new WeakMap<UnitOfWork, Set<string>>();

  /** A handler wrote `store` in the batch of `work`. */
  noteWrite(store: string, work: UnitOfWork): void {
    let stores = this.noted.get(work);
    if (stores?.has(store)) return;
    if (!stores) this.noted.set(work, (stores = new Set()));
    stores.add(store);
    const input = work.source;
    if (!input) return;
    const known = this.inputs.get(store) ?? [];
    if (!known.some((seen) => sameInput(seen, input))) this.inputs.set(store, [...known, input]);
  }

  /** The inputs seen writing `store` since startup (none before its first handler write). */
  of(store: string): readonly StoreInput[] {
    return this.inputs.get(store) ?? [];
  }
}
