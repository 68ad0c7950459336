import type SQLite from 'better-sqlite3';
import type { CompiledQuery } from 'kysely';
import { SelectQueryNode, type DatabaseConnection, type Driver, type QueryResult } from 'kysely';

/**
 * Kysely's driver for better-sqlite3, for a file that two threads of the process write: the
 * request thread and its import worker (src/spreadsheets/import-thread.ts), each on a connection of
 * its own. SQLite lets one connection write at a time; a second that tries waits inside SQLite,
 * holding its thread (better-sqlite3 is synchronous), and in WAL mode a transaction that read before
 * another connection's commit cannot write at all (SQLITE_BUSY_SNAPSHOT). So writes take turns, and
 * wait for them without holding a thread: the worker asks the request thread for a turn before
 * each transaction that writes the tables (`WriteTurns`), and is granted it when the request
 * thread's own transactions are done (`turnForAnother`).
 *
 * Statements outside a transaction that only read go to a second, read-only connection when there
 * is one (a file): they never wait for a transaction, and see what was last committed, as a
 * PostgreSQL reader does. A `:memory:` database has one connection, which does everything in turn.
 */

/** A turn at writing the file, taken from whoever else writes it; the function gives it back. */
export interface WriteTurns {
  take(): Promise<() => void>;
}

/** The connections of one database file, shared by the drivers on it. */
export interface SqliteConnections {
  writer: SQLite.Database;
  /** A read-only connection for reads outside transactions (a file only). */
  reader?: SQLite.Database;
}

/** One holder of the writer at a time: a transaction, a statement that writes, another connection's turn. */
class WriterLock {
  private held: Promise<void> | undefined;

  async lock(): Promise<() => void> {
    while (this.held) await this.held;
    let unlock!: () => void;
    this.held = new Promise<void>((resolve) => {
      unlock = () => {
        this.held = undefined;
        resolve();
      };
    });
    return unlock;
  }
}

/**
 * Prepared statements kept by their SQL text (the most recent 1,000): Kysely prepares every query
 * anew, and preparing is a large part of a small query's cost in SQLite. SQLite re-prepares a kept
 * statement itself when the schema changes.
 */
class StatementCache {
  private readonly cache = new Map<string, SQLite.Statement>();

  constructor(private readonly database: SQLite.Database) {}

  prepare(sql: string): SQLite.Statement {
    let statement = this.cache.get(sql);
    if (statement) {
      this.cache.delete(sql);
    } else {
      statement = this.database.prepare(sql);
      if (this.cache.size >= 1000) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(sql, statement);
    return statement;
  }
}

/** What the drivers on one file share: its connections, their statements, the writer's lock. */
export class SqliteFile {
  readonly writer: StatementCache;
  readonly reader: StatementCache | undefined;
  readonly lock = new WriterLock();
  /** Texts the reader cannot run (they name the writer's temporary tables). */
  private readonly writerOnly = new Set<string>();
  private closed = false;

  constructor(
    private readonly connections: SqliteConnections,
    /** A file (other connections, threads or processes can open it), not `:memory:`. */
    readonly isFile = connections.reader !== undefined,
  ) {
    this.writer = new StatementCache(connections.writer);
    this.reader = connections.reader && new StatementCache(connections.reader);
  }

  /** The reader's statement for `sql` when it reads only and the reader can run it. */
  readerStatement(sql: string): SQLite.Statement | undefined {
    if (!this.reader || this.writerOnly.has(sql)) return undefined;
    if (!this.writer.prepare(sql).readonly) return undefined;
    try {
      return this.reader.prepare(sql);
    } catch {
      this.writerOnly.add(sql);
      return undefined;
    }
  }

  /**
   * Holds the writer for another connection's transaction (the import worker's turn): it is
   * granted once this side's transaction is done, and this side's next waits until it is given back.
   */
  turnForAnother(): Promise<() => void> {
    return this.lock.lock();
  }

  /** Sets how many WAL pages a commit of the writer lets pile up before it checkpoints (0: never). */
  autoCheckpoint(pages: number): void {
    this.connections.writer.pragma(`wal_autocheckpoint = ${pages}`);
  }

  /**
   * Copies what the WAL holds into the file, without holding up other connections (PASSIVE), once
   * this one's transaction is done (none can checkpoint inside one).
   */
  async checkpoint(): Promise<void> {
    const unlock = await this.lock.lock();
    try {
      this.connections.writer.pragma('wal_checkpoint(PASSIVE)');
    } finally {
      unlock();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.connections.reader?.close();
    this.connections.writer.close();
  }
}

function run(statement: SQLite.Statement, parameters: readonly unknown[]): QueryResult<unknown> {
  if (statement.reader) return { rows: statement.all(parameters) };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return {
    numAffectedRows: BigInt(changes),
    insertId: BigInt(lastInsertRowid),
    rows: [],
  };
}

/** One connection as Kysely sees it: the file's writer while in a transaction, else by statement. */
class FileConnection implements DatabaseConnection {
  /** Set while this connection holds a transaction: gives the writer (and any turn) back. */
  private release: (() => void) | undefined;

  constructor(
    private readonly file: SqliteFile,
    private readonly turns: WriteTurns | undefined,
  ) {}

  async begin(): Promise<void> {
    const release = await this.take(this.turns);
    try {
      this.file.writer.prepare('begin').run();
    } catch (error) {
      release();
      throw error;
    }
    this.release = release;
  }

  end(command: 'commit' | 'rollback'): Promise<void> {
    const release = this.release;
    this.release = undefined;
    try {
      this.file.writer.prepare(command).run();
    } finally {
      release?.();
    }
    return Promise.resolve();
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const { sql, parameters } = query;
    if (this.release) return run(this.file.writer.prepare(sql), parameters) as QueryResult<R>;
    const reading = this.file.readerStatement(sql);
    if (reading) return run(reading, parameters) as QueryResult<R>;
    const statement = this.file.writer.prepare(sql);
    // Alone on the writer: a read waits for the writer's transaction, a write for its turn too.
    const release = await this.take(statement.readonly ? undefined : this.turns);
    try {
      return run(statement, parameters) as QueryResult<R>;
    } finally {
      release();
    }
  }

  async *streamQuery<R>(
    query: CompiledQuery,
    chunkSize = 1000,
  ): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(query.query))
      throw new Error('SQLite streams only the rows of a select');
    const { sql, parameters } = query;
    const reading = this.release ? undefined : this.file.readerStatement(sql);
    // On the writer outside a transaction, it holds the writer while it steps the statement.
    const unlock = this.release || reading ? undefined : await this.file.lock.lock();
    try {
      const statement = reading ?? this.file.writer.prepare(sql);
      let rows: R[] = [];
      for (const row of statement.iterate(parameters)) {
        rows.push(row as R);
        if (rows.length < chunkSize) continue;
        yield { rows };
        rows = [];
      }
      if (rows.length > 0) yield { rows };
    } finally {
      unlock?.();
    }
  }

  /** The writer, and a turn from `turns` when given; the function gives both back. */
  private async take(turns: WriteTurns | undefined): Promise<() => void> {
    const unlock = await this.file.lock.lock();
    if (!turns) return unlock;
    try {
      const giveBack = await turns.take();
      return () => {
        giveBack();
        unlock();
      };
    } catch (error) {
      unlock();
      throw error;
    }
  }
}

/**
 * The driver of one Kysely instance on the file. With `turns`, its transactions and writes outside
 * them take a turn first; without, they write only what no other connection sees (temporary tables),
 * or the file has no other writer. `owner` closes the connections when destroyed.
 */
export class SqliteFileDriver implements Driver {
  constructor(
    private readonly file: SqliteFile,
    private readonly turns: WriteTurns | undefined,
    private readonly owner: boolean,
  ) {}

  init(): Promise<void> {
    return Promise.resolve();
  }

  acquireConnection(): Promise<DatabaseConnection> {
    return Promise.resolve(new FileConnection(this.file, this.turns));
  }

  beginTransaction(connection: DatabaseConnection): Promise<void> {
    return (connection as FileConnection).begin();
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return (connection as FileConnection).end('commit');
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return (connection as FileConnection).end('rollback');
  }

  releaseConnection(): Promise<void> {
    return Promise.resolve();
  }

  destroy(): Promise<void> {
    if (this.owner) this.file.close();
    return Promise.resolve();
  }
}
