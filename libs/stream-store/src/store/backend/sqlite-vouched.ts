import type { SqlStatement } from './state-sql.js';

/**
 * `samsa_vouched`: per consumed partition, how far the changelogs vouch for this file's state (a
 * position record of the batch reached them). A committed batch whose position record never did (the
 * process stopped in between) is in this file only: other instances handled it again, so the file's
 * state of that partition number is rebuilt from the changelogs before it is used again.
 */
export const VOUCHED_TABLE = `
CREATE TABLE IF NOT EXISTS "samsa_vouched" (
  "group" TEXT NOT NULL, "topic" TEXT NOT NULL, "partition" INTEGER NOT NULL, "next_offset" INTEGER NOT NULL,
  PRIMARY KEY ("group", "topic", "partition")) WITHOUT ROWID;
`;

/** A file older than the table: what it committed so far counts as vouched (it had no other proof). */
export const SEED_VOUCHED = `INSERT OR IGNORE INTO "samsa_vouched" SELECT * FROM "samsa_offsets"`;

export const vouchedTableExists = `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'samsa_vouched'`;

/** Moves a vouched position forward (never back). */
export function vouch(group: string, topic: string, partition: number, offset: bigint): SqlStatement {
  return {
    text:
      'INSERT INTO "samsa_vouched" ("group", "topic", "partition", "next_offset") VALUES (?, ?, ?, ?) ' +
      'ON CONFLICT ("group", "topic", "partition") DO UPDATE SET "next_offset" = max("samsa_vouched"."next_offset", excluded."next_offset")',
    params: [group, topic, partition, offset],
  };
}

/** Offsets rows of a partition number ahead of what the changelogs vouch for. */
export function unvouched(partition: number): SqlStatement {
  return {
    text:
      'SELECT o."group" AS "group", o."topic" AS "topic", o."next_offset" AS "offset" FROM "samsa_offsets" o ' +
      'LEFT JOIN "samsa_vouched" v ON v."group" = o."group" AND v."topic" = o."topic" AND v."partition" = o."partition" ' +
      'WHERE o."partition" = ? AND (v."next_offset" IS NULL OR v."next_offset" < o."next_offset")',
    params: [partition],
  };
}

/** What rebuilding a partition number forgets: its state in `stores`, their checkpoints, the groups' positions. */
export function forgetPartition(
  partition: number,
  stores: readonly string[],
  groups: readonly string[],
): SqlStatement[] {
  const storeList = stores.map(() => '?').join(', ');
  const groupList = groups.map(() => '?').join(', ');
  return [
    {
      text: `DELETE FROM "samsa_state" WHERE "partition" = ? AND "store" IN (${storeList})`,
      params: [partition, ...stores],
    },
    {
      text: `DELETE FROM "samsa_checkpoints" WHERE "partition" = ? AND "store" IN (${storeList})`,
      params: [partition, ...stores],
    },
    {
      text: `DELETE FROM "samsa_offsets" WHERE "partition" = ? AND "group" IN (${groupList})`,
      params: [partition, ...groups],
    },
    {
      text: `DELETE FROM "samsa_vouched" WHERE "partition" = ? AND "group" IN (${groupList})`,
      params: [partition, ...groups],
    },
  ];
}
