import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type Dialect } from 'kysely';
import pg from 'pg';
import { createPrivateFileSync } from '../data-dir.js';
import { acceptCopy } from './copy.js';
import type { Database } from './schema.js';

export type DialectName = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: DialectName;
  /** The PostgreSQL schema the connection works in; undefined for SQLite. */
  schema?: string;
  /** The URL it was opened with (a worker thread of the process opens its own connections). */
  url?: string;
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

function sqliteDialect(url: string): Dialect {
  const path = url.slice('sqlite:'.length);
  // Created 0600 before SQLite opens it: SQLite gives its -wal and -shm files the same mode.
  if (path !== ':memory:') createPrivateFileSync(path, dirname(path));
  const database = new SQLite(path);
  database.pragma('journal_mode = WAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  database.pragma('synchronous = NORMAL');
  // The default 2 MiB page cache thrashes on an acquisition of 100,000 records.
  database.pragma('cache_size = -65536');
  database.pragma('temp_store = MEMORY');
  return new SqliteDialect({ database: withStatementCache(database) });
}

/**
 * Kysely prepares every query anew; preparing is a large part of a small query's cost in SQLite.
 * Statements are kept by their SQL text (the most recent 1,000), so a repeated query is only bound
 * and run. SQLite re-prepares a kept statement itself when the schema changes.
 */
function withStatementCache(database: SQLite.Database) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => database.close(),
    prepare: (sql: string) => {
      let statement = cache.get(sql);
      if (statement) {
        cache.delete(sql);
      } else {
        statement = database.prepare(sql);
        if (cache.size >= 1000) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, statement);
      return statement;
    },
  };
}

/** Options for PostgreSQL: a schema to work in (tests use one schema per run). */
export interface ConnectOptions {
  schema?: string;
  poolSize?: number;
  /** How long a query waits for a pooled connection before failing (ms; default 5000). */
  connectTimeoutMs?: number;
  /** Told when a pooled connection is lost (it is replaced on the next use). */
  onConnectionLost?: (error: Error) => void;
}

/** Opens the database the URL names. Nothing else in Intake knows which dialect it talks to. */
export function connectDatabase(url: string, options: ConnectOptions = {}): DatabaseHandle {
  const dialect = dialectOf(url);
  if (dialect === 'sqlite') {
    const db = new Kysely<Database>({ dialect: sqliteDialect(url) });
    return { db, dialect, url, close: () => db.destroy() };
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
