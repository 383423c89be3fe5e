import type { FailureKind } from '../../errors/failure-kind.js';

/**
 * Postgres SQLSTATE classes and codes that say the database, not the statement, is the problem:
 * 08 connection exceptions, 53 insufficient resources, 57P01-57P03 shutdowns and start-ups,
 * 40001/40P01 serialization failures and deadlocks (the transaction can simply run again).
 */
const PG_TRANSIENT_CLASSES = ['08', '53'];
const PG_TRANSIENT_CODES = new Set(['57P01', '57P02', '57P03', '40001', '40P01', '55P03']);

/** SQLite result codes of a busy, locked, full or failing file rather than a bad statement. */
const SQLITE_TRANSIENT = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|PROTOCOL)/;

/**
 * node-postgres reports a connection lost mid-query, or a pool that could not connect in time,
 * with plain Errors that carry no code: their messages are its documented wording.
 */
const PG_CONNECTION_LOST =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/** The database's verdict on an error of its driver; undefined when it is not a driver error. */
export function databaseFailure(error: object): FailureKind | undefined {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (SQLITE_TRANSIENT.test(code)) return 'infrastructure';
    if (/^[0-9A-Z]{5}$/.test(code) && isTransientSqlState(code)) return 'infrastructure';
  }
  if (error instanceof Error && PG_CONNECTION_LOST.test(error.message)) return 'infrastructure';
  return undefined;
}

function isTransientSqlState(code: string): boolean {
  return PG_TRANSIENT_CLASSES.includes(code.slice(0, 2)) || PG_TRANSIENT_CODES.has(code);
}
