import type BetterSqlite3 from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import { DEFAULTS } from '../../defaults.js';
import { ConfigurationError } from '../../errors/configuration.error.js';
import type { StoreConnectionOptions } from '../../interfaces/stream-store-options.interface.js';
import { PostgresBackend } from './postgres-backend.js';
import { SqliteBackend } from './sqlite-backend.js';
import type { StoreBackend } from './store-backend.interface.js';

export interface OpenDatabase {
  readonly backend: StoreBackend;
  /** Where the state lives, for logs. */
  readonly description: string;
  /** Destroys the DataSource if samsa created it; an application's own is left open. */
  close(): Promise<void>;
}

const POSTGRES_CONNECT_TIMEOUT_MS = 10_000;

/** Whether the state lives in SQLite (its stores then default to changelogs). */
export function isSqlite(options: StoreConnectionOptions): boolean {
  return 'dataSource' in options
    ? options.dataSource.options.type === 'better-sqlite3'
    : options.type === 'sqlite';
}

/** Initializes the DataSource (samsa's own, or the application's) and creates samsa's tables. */
export async function openDatabase(options: StoreConnectionOptions): Promise<OpenDatabase> {
  const owned = !('dataSource' in options);
  const dataSource = 'dataSource' in options ? options.dataSource : await createDataSource(options);
  const where = describe(options);
  try {
    if (!dataSource.isInitialized) await dataSource.initialize();
    const backend = await createBackend(dataSource);
    await backend.createTables();
    const close = async () => {
      if (owned && dataSource.isInitialized) await dataSource.destroy();
    };
    return { backend, description: where, close };
  } catch (error) {
    if (owned && dataSource.isInitialized) await dataSource.destroy();
    if (error instanceof ConfigurationError) throw error;
    const reason = `State stores: cannot open ${where}: ${message(error)}. ${advice(options)}`;
    throw new ConfigurationError(reason, { cause: error });
  }
}

/** TypeORM is loaded only by applications with stores: it weighs ~30 MB of memory. */
async function createDataSource(
  options: Exclude<StoreConnectionOptions, { dataSource: DataSource }>,
): Promise<DataSource> {
  const { DataSource } = await import('typeorm');
  if (options.type === 'sqlite') {
    return new DataSource({
      type: 'better-sqlite3',
      database: options.database ?? DEFAULTS.sqliteDatabase,
      // WAL with synchronous=NORMAL: commits skip the fsync, a crash may lose the last commits but
      // never corrupts; their records are then consumed again, since offsets live in the same file.
      enableWAL: true,
      prepareDatabase: (db: BetterSqlite3.Database) => void db.pragma('synchronous = NORMAL'),
    });
  }
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema ?? 'public',
    connectTimeoutMS: POSTGRES_CONNECT_TIMEOUT_MS,
    applicationName: 'samsa',
  });
}

async function createBackend(dataSource: DataSource): Promise<StoreBackend> {
  const { options } = dataSource;
  if (options.type === 'better-sqlite3') return SqliteBackend.open(dataSource);
  if (options.type === 'postgres') return new PostgresBackend(dataSource, options.schema);
  throw new ConfigurationError(
    `State stores run on SQLite (TypeORM type 'better-sqlite3') or Postgres ('postgres'); ` +
      `store.dataSource is '${options.type}'. ` +
      "Give samsa its own database with store: { type: 'sqlite' } or { type: 'postgres', url }.",
  );
}

function describe(options: StoreConnectionOptions): string {
  if ('dataSource' in options) return `the application's ${options.dataSource.options.type} DataSource`;
  if (options.type === 'sqlite') return `SQLite file "${options.database ?? DEFAULTS.sqliteDatabase}"`;
  return `Postgres at ${redact(options.url)} (schema "${options.schema ?? 'public'}")`;
}

function advice(options: StoreConnectionOptions): string {
  if ('dataSource' in options) {
    return 'Check the DataSource given as `store.dataSource` in StreamStoreModule.forRoot().';
  }
  if (options.type === 'sqlite') {
    return (
      'Check that its directory is writable and the file is a SQLite database, ' +
      'or set `store.database` in StreamStoreModule.forRoot().'
    );
  }
  return (
    'Check that Postgres runs and accepts these credentials,' +
    ' or fix `store.url` in StreamStoreModule.forRoot().'
  );
}

const redact = (url: string) => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
