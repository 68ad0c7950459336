import type { ControlledTransaction, Kysely } from 'kysely';
import { isPostgresDb } from '../db/bulk.js';
import { temporaryWritesOf } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import { StagingArea } from '../db/sqlite-staging.js';
import { importErrors } from './import-errors.js';

/**
 * Where an import's reads and writes go until it is made visible, all at once: one transaction
 * held for the whole import on PostgreSQL (other connections go on meanwhile), a staging area on
 * SQLite (whose one connection every request of the process shares).
 */
export interface ImportStore {
  /** Runs one step of the import (a batch of rows, a read) against what the import wrote so far. */
  step<T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T>;
  /** Makes the import visible with what `last` writes (its event, the job's outcome), atomically. */
  commit(last: (trx: Kysely<Database>) => Promise<void>): Promise<void>;
  /** Drops whatever was not committed. */
  close(): Promise<void>;
}

export async function openImportStore(
  db: Kysely<Database>,
  acquisitionId: string,
): Promise<ImportStore> {
  if (isPostgresDb(db)) return new OneTransaction(await db.startTransaction().execute());
  return new Staged(db, await StagingArea.open(db, acquisitionId));
}

class OneTransaction implements ImportStore {
  private ended = false;

  constructor(private readonly trx: ControlledTransaction<Database>) {}

  step<T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    return work(this.trx);
  }

  async commit(last: (trx: Kysely<Database>) => Promise<void>): Promise<void> {
    await last(this.trx);
    this.ended = true;
    await this.trx.commit().execute();
  }

  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.trx.rollback().execute();
  }
}

/**
 * A step per short transaction on the staging tables; requests run between steps. The commit
 * applies the staged rows a chunk at a time, each chunk a short transaction, while requests about
 * the acquisition wait (`StagingArea.apply`).
 */
class Staged implements ImportStore {
  private closed = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly area: StagingArea,
  ) {}

  step<T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    // The staging tables are the connection's own: no turn at writing the file is needed.
    return temporaryWritesOf(this.db)
      .transaction()
      .execute((trx) => work(this.area.on(trx)));
  }

  commit(last: (trx: Kysely<Database>) => Promise<void>): Promise<void> {
    return this.area.apply(this.db, importErrors.changedMeanwhile, last);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.area.drop(temporaryWritesOf(this.db));
  }
}
