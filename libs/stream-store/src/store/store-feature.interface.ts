import type { Type } from '@nestjs/common';

/** A state store declared with `StreamStoreModule.forFeature([...])`. */
export interface StoreFeature {
  /** Store name: letters, digits, `_`, `.`, `-`; at most 64 characters. */
  name: string;
  /** A class-validator class every written value is validated against. Default: none. */
  valueClass?: Type<object>;
  /** Write changes to a compacted changelog topic. Default: on for SQLite, off for Postgres. */
  changelog?: boolean;
  /** Time to live of each key: milliseconds or a duration like `'7d'`, `'12h'`. Default: forever. */
  ttl?: number | string;
  /**
   * Reads outside handlers (`get`, `has`, `getMany` from HTTP endpoints, jobs) of a key whose
   * partition another instance owns: `'refuse'` throws `KeyNotOwnedError` with the owner's URL
   * (its copy here may be stale), `'allow'` answers from the local copy. Default `'refuse'`.
   * Applies to SQLite only: Postgres stores share one database and are always current.
   */
  remoteReads?: RemoteReads;
}

export type RemoteReads = 'refuse' | 'allow';
