import { Inject, Injectable, Logger } from '@nestjs/common';
import { changelogValueLimit, DEFAULT_MAX_MESSAGE_BYTES } from '../changelog/changelog-record-limit.js';
import { STREAM_STORE_OPTIONS } from '../constants.js';
import { ConfigurationError } from '../errors/configuration.error.js';
import { StreamStoreError } from '../errors/stream-store.error.js';
import type { ResolvedStreamStoreOptions } from '../options/resolve-options.js';
import { isSqlite, openDatabase, type OpenDatabase } from './backend/open-database.js';
import type { ExpiredKey, StoreBackend } from './backend/store-backend.interface.js';
import type { OffsetLedger } from './offset-ledger.interface.js';
import { SqlOffsetLedger } from './sql-offset-ledger.js';
import { SqlStateStore } from './sql-state-store.js';
import type { StateStore } from './state-store.interface.js';
import type { StoreFeature } from './store-feature.interface.js';
import { resolveStoreSettings, sameSettings, type StoreSettings } from './store-settings.js';

/**
 * Owns the state stores of the application and their database. The database opens on first use:
 * the transport's `ledger()` at startup, or an earlier store operation.
 */
@Injectable()
export class StoreRuntime {
  private readonly logger = new Logger('StateStores');
  private readonly stores = new Map<string, { settings: StoreSettings; store: StateStore<unknown> }>();
  private database?: Promise<OpenDatabase>;
  /** `database`'s backend, kept so that store operations (many per batch) await one settled promise. */
  private opened?: { database: Promise<OpenDatabase>; backend: Promise<StoreBackend> };
  private offsetLedger?: OffsetLedger;
  private closed = false;
  /** `max.message.bytes` of changelog topics that set their own (others: the broker default). */
  private readonly maxMessageBytes = new Map<string, number>();

  constructor(@Inject(STREAM_STORE_OPTIONS) readonly options: ResolvedStreamStoreOptions) {}

  /** Declares a store (once per name; identical repeats get the same store). */
  declare(feature: StoreFeature): StateStore<unknown> {
    const settings = resolveStoreSettings(feature, isSqlite(this.options.store));
    const declared = this.stores.get(settings.name);
    if (declared) {
      if (sameSettings(declared.settings, settings)) return declared.store;
      throw new ConfigurationError(
        `State store "${settings.name}" is declared twice with different ttl, changelog or valueClass: ` +
          'declare it in one forFeature() and import that module, or repeat the same settings.',
      );
    }
    const store = new SqlStateStore<unknown>(
      settings,
      () => this.backend(),
      () => (settings.changelog ? this.valueLimit(settings.name) : undefined),
    );
    this.stores.set(settings.name, { settings, store });
    return store;
  }

  store<T = unknown>(name: string): StateStore<T> {
    const declared = this.stores.get(name);
    if (!declared) {
      throw new ConfigurationError(
        `No state store "${name}": declare it with StreamStoreModule.forFeature(['${name}']).`,
      );
    }
    return declared.store as StateStore<T>;
  }

  /** The SQL offsets ledger, when the application declared state stores; opens the database. */
  async ledger(): Promise<OffsetLedger | undefined> {
    if (this.stores.size === 0) return undefined;
    const backend = await this.backend();
    return (this.offsetLedger ??= new SqlOffsetLedger(backend));
  }

  get hasStores(): boolean {
    return this.stores.size > 0;
  }

  /** For health checks: whether the database answers (true without stores: nothing to reach). */
  async ping(): Promise<boolean> {
    if (this.stores.size === 0) return true;
    try {
      await (await this.backend()).ping();
      return true;
    } catch {
      return false; // The answer to a health check; the cause shows on the next store operation.
    }
  }

  /** Settings of the stores whose changes go to a changelog topic. */
  changelogStores(): StoreSettings[] {
    return [...this.stores.values()]
      .filter(({ settings }) => settings.changelog)
      .map(({ settings }) => settings);
  }

  /** A store's changelog topic accepts record batches of at most `bytes` (its `max.message.bytes`). */
  setMaxMessageBytes(store: string, bytes: number): void {
    this.maxMessageBytes.set(store, bytes);
  }

  /** The bytes of key and value a changelog store's write may take. */
  valueLimit(store: string): number {
    return changelogValueLimit(this.maxMessageBytes.get(store) ?? DEFAULT_MAX_MESSAGE_BYTES);
  }

  /** Time-to-live of every store that has one, in ms (the TTL sweeper's interval follows them). */
  ttls(): number[] {
    return [...this.stores.values()].flatMap(({ settings }) => (settings.ttlMs ? [settings.ttlMs] : []));
  }

  /** The database behind the stores (for changelog checkpoints and restores). */
  journal(): Promise<StoreBackend> {
    return this.backend();
  }

  /** Deletes expired rows, returning them for changelog tombstones (the changelog's TTL sweeper calls it). */
  async deleteExpired(now = Date.now()): Promise<ExpiredKey[]> {
    return this.stores.size === 0 ? [] : (await this.backend()).deleteExpired(now);
  }

  /** Destroys the DataSource if samsa created it; an application's own stays open. */
  async close(): Promise<void> {
    this.closed = true;
    const opening = this.database;
    this.database = undefined;
    if (!opening) return;
    let database: OpenDatabase;
    try {
      database = await opening;
    } catch {
      return; // It never opened: nothing to close.
    }
    await database.close();
  }

  private backend(): Promise<StoreBackend> {
    const database = this.open();
    if (this.opened?.database !== database) {
      this.opened = { database, backend: database.then(({ backend }) => backend) };
    }
    return this.opened.backend;
  }

  private open(): Promise<OpenDatabase> {
    if (this.closed) {
      return Promise.reject(
        new StreamStoreError('State stores are closed: the application is shutting down.'),
      );
    }
    if (!this.database) {
      const opening = openDatabase(this.options.store);
      this.database = opening;
      opening.then(
        (database) => this.logger.log(`State stores in ${database.description}`),
        () => {
          // The next operation tries again: the database may come up later.
          if (this.database === opening) this.database = undefined;
        },
      );
    }
    return this.database;
  }
}
