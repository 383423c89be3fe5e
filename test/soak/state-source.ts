// What the workers left in SQL: the `counts` store and the consumed offsets. With SQLite every
// worker has its own file, and the state of an input partition is read from the file whose
// stored offset for it is furthest (the last owner's); with Postgres there is one schema.
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';
import { STORES } from './topology.js';

export interface StateSnapshot {
  /** `counts` by state key (`<topic>|<key>`). */
  counts: Map<string, number>;
  /** The stored next offset by `<topic>:<partition>`. */
  offsets: Map<string, bigint>;
}

interface CountRow {
  key: string;
  partition: number;
  value: string;
}

const positionOf = (topic: string, partition: number) => `${topic}:${partition}`;
const topicOfKey = (key: string) => key.slice(0, key.lastIndexOf('|'));

export function readSqliteState(files: readonly string[], group: string): StateSnapshot {
  const perFile = files
    .filter((file) => existsSync(file))
    .map((file) => {
      const db = new Database(file, { readonly: true, fileMustExist: true, timeout: 10_000 });
      try {
        const offsets = db
          .prepare(`SELECT "topic", "partition", "next_offset" FROM "samsa_offsets" WHERE "group" = ?`)
          .safeIntegers(true)
          .all(group) as Array<{ topic: string; partition: bigint; next_offset: bigint }>;
        const rows = db
          .prepare(`SELECT "key", "partition", "value" FROM "samsa_state" WHERE "store" = ?`)
          .all(STORES.counts) as CountRow[];
        return {
          offsets: new Map(offsets.map((o) => [positionOf(o.topic, Number(o.partition)), o.next_offset])),
          rows,
        };
      } finally {
        db.close();
      }
    });
  const offsets = new Map<string, bigint>();
  const owners = new Map<string, (typeof perFile)[number]>();
  for (const file of perFile) {
    for (const [position, offset] of file.offsets) {
      if (offset > (offsets.get(position) ?? -1n)) {
        offsets.set(position, offset);
        owners.set(position, file);
      }
    }
  }
  const counts = new Map<string, number>();
  for (const [position, owner] of owners) {
    for (const row of owner.rows) {
      if (positionOf(topicOfKey(row.key), Number(row.partition)) === position) {
        counts.set(row.key, JSON.parse(row.value) as number);
      }
    }
  }
  return { counts, offsets };
}

export async function readPostgresState(url: string, schema: string, group: string): Promise<StateSnapshot> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const state = await client.query<{ key: string; value: string }>(
      `SELECT "key", "value" FROM "${schema}"."samsa_state" WHERE "store" = $1`,
      [STORES.counts],
    );
    const offsets = await client.query<{ topic: string; partition: number; next_offset: string }>(
      `SELECT "topic", "partition", "next_offset" FROM "${schema}"."samsa_offsets" WHERE "group" = $1`,
      [group],
    );
    return {
      counts: new Map(state.rows.map((row) => [row.key, JSON.parse(row.value) as number])),
      offsets: new Map(offsets.rows.map((o) => [positionOf(o.topic, o.partition), BigInt(o.next_offset)])),
    };
  } finally {
    await client.end();
  }
}
