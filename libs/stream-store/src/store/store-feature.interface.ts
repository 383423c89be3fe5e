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
}
