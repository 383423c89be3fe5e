import type { Type } from '@nestjs/common';
import { ConfigurationError } from '../errors/configuration.error.js';
import { parseDuration } from './duration.js';
import type { RemoteReads, StoreFeature } from './store-feature.interface.js';

/** A declared store with its defaults applied. */
export interface StoreSettings {
  readonly name: string;
  readonly valueClass?: Type<object>;
  readonly changelog: boolean;
  /** Time to live of each key, in ms; undefined: forever. */
  readonly ttlMs?: number;
  /** Whether reads outside handlers of keys another instance owns are refused (see `StoreFeature`). */
  readonly remoteReads: RemoteReads;
}

// The name goes into changelog topic names and SQL rows: Kafka's topic characters, and short.
const STORE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Checks a `forFeature` declaration; `changelogByDefault` is true on SQLite. */
export function resolveStoreSettings(feature: StoreFeature, changelogByDefault: boolean): StoreSettings {
  const { name, valueClass, changelog, ttl, remoteReads = 'refuse' } = feature;
  if (typeof name !== 'string' || !STORE_NAME.test(name)) {
    throw new ConfigurationError(
      `State store name ${JSON.stringify(name)} is invalid: use 1 to 64 letters, digits, "_", "." or "-".`,
    );
  }
  if (valueClass !== undefined && typeof valueClass !== 'function') {
    throw new ConfigurationError(
      `State store "${name}": valueClass must be a class decorated with class-validator.`,
    );
  }
  const ttlMs = ttl === undefined ? undefined : parseDuration(ttl);
  if (ttl !== undefined && ttlMs === undefined) {
    throw new ConfigurationError(
      `State store "${name}": ttl ${JSON.stringify(ttl)} is not a duration; ` +
        "use milliseconds or e.g. '10s', '30m', '12h', '7d'.",
    );
  }
  if (remoteReads !== 'refuse' && remoteReads !== 'allow') {
    throw new ConfigurationError(
      `State store "${name}": remoteReads ${JSON.stringify(remoteReads)} is not 'refuse' or 'allow'.`,
    );
  }
  return { name, valueClass, changelog: changelog ?? changelogByDefault, ttlMs, remoteReads };
}

export function sameSettings(a: StoreSettings, b: StoreSettings): boolean {
  return (
    a.name === b.name &&
    a.valueClass === b.valueClass &&
    a.changelog === b.changelog &&
    a.ttlMs === b.ttlMs &&
    a.remoteReads === b.remoteReads
  );
}
