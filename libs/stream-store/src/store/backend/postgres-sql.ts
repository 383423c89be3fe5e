import { LIVE, ON_CONFLICT_UPDATE, STATE_COLUMNS, StateSql, type SqlStatement } from './state-sql.js';
import type { StoredEntry } from './store-backend.interface.js';

/**
 * Postgres binds whole arrays: the statements over many keys take one parameter per column, so
 * a batch of any size is one statement with the same text (no parameter limit, no chunking). A
 * 500-row upsert measured about 1.4 times faster than as multi-row VALUES.
 */
export class PostgresSql extends StateSql {
  override upsert(store: string, partition: number, rows: readonly StoredEntry[]): SqlStatement {
    return {
      text:
        `INSERT INTO ${this.dialect.stateTable} ${STATE_COLUMNS} ` +
        'SELECT $1::text, "key", $2::integer, "value", "expires_at" ' +
        `FROM unnest($3::text[], $4::text[], $5::bigint[]) AS row ("key", "value", "expires_at") ${ON_CONFLICT_UPDATE}`,
      params: [
        store,
        partition,
        rows.map((row) => row.key),
        rows.map((row) => row.value),
        rows.map((row) => row.expiresAt),
      ],
    };
  }

  override deleteKeys(store: string, keys: readonly string[]): SqlStatement {
    return {
      text: `DELETE FROM ${this.dialect.stateTable} WHERE "store" = $1 AND "key" = ANY($2::text[])`,
      params: [store, keys],
    };
  }

  override select(store: string, keys: readonly string[], now: number): SqlStatement {
    return {
      text:
        `SELECT "key", "value", "expires_at" FROM ${this.dialect.stateTable} ` +
        `WHERE "store" = $1 AND ${LIVE('$2')} AND "key" = ANY($3::text[])`,
      params: [store, now, keys],
    };
  }
}
