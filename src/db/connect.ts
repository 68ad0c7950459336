import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type Dialect,
} from 'kysely';
import pg from 'pg';
import { createPrivateFileSync } from '../data-dir.js';
import { acceptCopy } from './copy.js';
import type { Database } from './schema.js';
import { SqliteFile, SqliteFileDriver, type WriteTurns } from './sqlite-driver.js';

export type DialectName = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: DialectName;
  /** The PostgreSQL schema the connection works in; undefined for SQLite. */
  schema?: string;
  /** The URL it was opened with (a worker thread of the process opens its own connections). */
  url?: string;
  /** SQLite: the file's connections (turns at writing it, checkpoints). */
  sqlite?: SqliteFile;
  close: () => Promise<void>;
}

/** `sqlite:./data/intake.db`, `sqlite::memory:` or `postgres://…`: the one place dialects are chosen. */
export function dialectOf(url: string): DialectName {
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgres';
  if (url.startsWith('sqlite:')) return 'sqlite';
  throw new Error(
    `DATABASE_URL must start with postgres://, postgresql:// or sqlite: (got "${url.split(':')[0]}:…")`,
  );
}

/**
 * Opens the SQLite file (or `:memory:`) the URL names: a writer, and for a file a reader when
 * `withReader` (the request thread's; an import worker reads on its writer).
 */
function openSqliteFile(url: string, withReader: boolean): SqliteFile {
  const path = url.slice('sqlite:'.length);
  const memory = path === ':memory:';
  // Created 0600 before SQLite opens it: SQLite gives its -wal and -shm files the same mode.
  if (!memory) createPrivateFileSync(path, dirname(path));
  const writer = new SQLite(path);
  writer.pragma('journal_mode = WAL');
  writer.pragma('foreign_keys = ON');
  writer.pragma('busy_timeout = 5000');
  writer.pragma('synchronous = NORMAL');
  // The default 2 MiB page cache thrashes on an acquisition of 100,000 records.
  writer.pragma('cache_size = -65536');
  writer.pragma('temp_store = MEMORY');
  if (memory) return new SqliteFile({ writer }, false);
  if (!withReader) {
    // The import worker's staging tables (a copy of an acquisition's rows) are kept in a file,
    // with a page cache of their own: in memory they made the process as large as the copy.
    writer.pragma('temp_store = FILE');
    writer.pragma('temp.cache_size = -65536');
    return new SqliteFile({ writer }, true);
  }
  const reader = new SQLite(path, { readonly: true });
  reader.pragma('busy_timeout = 5000');
  reader.pragma('cache_size = -65536');
  return new SqliteFile({ writer, reader });
}

/** Kysely's SQLite dialect, on a driver of the file's connections (src/db/sqlite-driver.ts). */
class SqliteFileDialect implements Dialect {
  constructor(private readonly driver: SqliteFileDriver) {}
  createDriver = () => this.driver;
  createQueryCompiler = () => new SqliteQueryCompiler();
  createAdapter = () => new SqliteAdapter();
  createIntrospector = (db: Kysely<any>) => new SqliteIntrospector(db); // eslint-disable-line @typescript-eslint/no-explicit-any -- Kysely's own signature
}

/** The same file without write turns: for what writes only the connection's temporary tables. */
const temporaryWrites = new WeakMap<Kysely<Database>, Kysely<Database>>();

/**
 * `db` for statements that write only its connection's temporary tables (an import's staging
 * area), which need no turn at writing the file (src/db/sqlite-driver.ts); `db` itself elsewhere.
 */
export function temporaryWritesOf(db: Kysely<Database>): Kysely<Database> {
  return temporaryWrites.get(db) ?? db;
}

/** Options for PostgreSQL: a schema to work in (tests use one schema per run). */
export interface ConnectOptions {
  schema?: string;
  poolSize?: number;
  /** How long a query waits for a pooled connection before failing (ms; default 5000). */
  connectTimeoutMs?: number;
  /** Told when a pooled connection is lost (it is replaced on the next use). */
  onConnectionLost?: (error: Error) => void;
  /** SQLite: where this connection takes its turns at writing the file (an import worker's). */
  writeTurns?: WriteTurns;
}

/** Opens the database the URL names. Nothing else in Intake knows which dialect it talks to. */
export function connectDatabase(url: string, options: ConnectOptions = {}): DatabaseHandle {
  const dialect = dialectOf(url);
  if (dialect === 'sqlite') {
    const file = openSqliteFile(url, !options.writeTurns);
    const on = (turns: WriteTurns | undefined, owner: boolean) =>
      new Kysely<Database>({
        dialect: new SqliteFileDialect(new SqliteFileDriver(file, turns, owner)),
      });
    const db = on(options.writeTurns, true);
    if (options.writeTurns) temporaryWrites.set(db, on(undefined, false));
    return { db, dialect, url, sqlite: file, close: () => db.destroy() };
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    // A request waits at most this long for a connection, then answers 503: never a hang.
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    keepAlive: true,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // A connection the server closes (a restart, pg_terminate_backend, a network cut) reports an
  // error event; unheard, it would end the process. An idle one is dropped by the pool, which
  // reports it here; one in use fails its query (the request answers 503), and the pool drops it
  // when it is released, as it is no longer queryable.
  pool.on('error', () => undefined); // the same error as the client's, reported below
  pool.on('connect', (client) => {
    client.on('error', (error) => options.onConnectionLost?.(error));
    // Large writes stream their rows through COPY (src/db/bulk.ts).
    acceptCopy(client);
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect, url, schema: options.schema ?? 'public', close: () => db.destroy() };
}

/** True when the error is a unique-constraint violation, whichever the dialect. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string } | undefined;
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

/** PostgreSQL's classes of errors that mean the connection, not the statement, failed. */
const CONNECTION_LOST_STATES = /^(08|57P0[1-3]|53300)/;
const CONNECTION_LOST_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|not queryable|Client was closed/i;

/**
 * True when the error says the database could not be reached or dropped the connection (its
 * server restarting, the connection terminated, no connection free in time), or on SQLite that it
 * stayed busy: the request did not happen and may be tried again, unlike a failing statement.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (CONNECTION_LOST_STATES.test(code)) return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'SQLITE_BUSY'].includes(code))
    return true;
  return typeof e?.message === 'string' && CONNECTION_LOST_MESSAGES.test(e.message);
}
