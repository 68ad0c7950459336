/* eslint-disable @typescript-eslint/no-explicit-any -- the migrator works on any schema */
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as capture from './migrations/20261127T0900-capture.js';
import * as imports from './migrations/20261127T1100-imports.js';
import * as importCreator from './migrations/20261128T2310-import-creator.js';
import * as importRetention from './migrations/20261128T2210-import-retention.js';
import * as handover from './migrations/20261127T1400-handover.js';
import * as initial from './migrations/20261127T0700-initial.js';
import * as notifications from './migrations/20261127T1300-notifications.js';
import * as parties from './migrations/20261127T1500-parties.js';
import * as portal from './migrations/20261127T1600-portal.js';
import * as oneRunningImport from './migrations/20261128T2200-one-running-import.js';
import * as secretReveals from './migrations/20261128T2320-secret-reveals.js';
import * as importFindingEntity from './migrations/20261129T0100-import-finding-entity.js';
import * as reminders from './migrations/20261129T0400-reminders.js';
import * as interviewCalls from './migrations/20261129T0500-interview-calls.js';
import * as attachments from './migrations/20261129T0400-attachments.js';
import * as acquisitionEventSeq from './migrations/20261129T0800-acquisition-event-seq.js';
import * as rateCounters from './migrations/20261129T1100-rate-counters.js';
import * as recordsPageIndex from './migrations/20261129T1200-records-page-index.js';
import * as importHeartbeat from './migrations/20261129T1300-import-heartbeat.js';
import * as acquisitionDataVersion from './migrations/20261129T1330-acquisition-data-version.js';
import * as importTakeover from './migrations/20261129T1400-import-takeover.js';
import * as secretKeyCheck from './migrations/20261129T1410-secret-key-check.js';
import * as stagingUndo from './migrations/20261208T0200-staging-undo.js';
import { whileLocked } from './advisory-lock.js';

/** Every migration, by name; names sort in the order they run. Add new ones here. */
const migrations: Record<string, Migration> = {
  '20261127T0700-initial': initial,
  '20261127T0900-capture': capture,
  '20261127T1100-imports': imports,
  '20261127T1300-notifications': notifications,
  '20261127T1400-handover': handover,
  '20261127T1500-parties': parties,
  '20261127T1600-portal': portal,
  '20261128T2200-one-running-import': oneRunningImport,
  '20261128T2210-import-retention': importRetention,
  '20261128T2310-import-creator': importCreator,
  '20261128T2320-secret-reveals': secretReveals,
  '20261129T0100-import-finding-entity': importFindingEntity,
  '20261129T0400-reminders': reminders,
  '20261129T0500-interview-calls': interviewCalls,
  '20261129T0400-attachments': attachments,
  '20261129T0800-acquisition-event-seq': acquisitionEventSeq,
  '20261129T1100-rate-counters': rateCounters,
  '20261129T1200-records-page-index': recordsPageIndex,
  '20261129T1300-import-heartbeat': importHeartbeat,
  '20261129T1330-acquisition-data-version': acquisitionDataVersion,
  '20261129T1400-import-takeover': importTakeover,
  '20261129T1410-secret-key-check': secretKeyCheck,
  '20261208T0200-staging-undo': stagingUndo,
};

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };

/**
 * Runs a migrator step again (up to twice more) when it failed because a schema vanished under
 * it: Kysely's introspection reads every schema of the database by name, and fails when another
 * is dropped at that moment (tests drop theirs). Migrations run in a transaction, so the failed
 * attempt left nothing behind.
 */
async function againIfSchemaVanished<T extends { error?: unknown }>(
  step: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const result = await step();
    const code = (result.error as { code?: unknown } | undefined)?.code;
    if (code !== '3F000' || attempt === 3) return result;
  }
}

/**
 * Brings the schema up to date; throws with the failing migration's name. On PostgreSQL pass the
 * schema the connection works in: Kysely looks for its bookkeeping tables in every schema otherwise.
 *
 * On PostgreSQL the whole run, creating Kysely's bookkeeping tables included, holds an advisory
 * lock named after the schema: nodes started together migrate one after the other, and the later
 * ones find nothing left to do.
 */
export async function migrateToLatest(db: Kysely<any>, schema?: string): Promise<void> {
  const { error, results } = await whileLocked(db, `intake.migrate:${schema ?? 'public'}`, () =>
    againIfSchemaVanished(() =>
      new Migrator({
        db,
        provider,
        ...(schema ? { migrationTableSchema: schema } : {}),
      }).migrateToLatest(),
    ),
  );
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(
      `Database migration ${failed} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`,
    );
  }
}

/** The names of the migrations this code knows that the database has not run yet. */
export async function pendingMigrations(db: Kysely<any>, schema?: string): Promise<string[]> {
  const infos = await new Migrator({
    db,
    provider,
    ...(schema ? { migrationTableSchema: schema } : {}),
  }).getMigrations();
  return infos.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

/** Undoes every migration (used by tests of `down`). */
export async function migrateToBottom(db: Kysely<any>, schema?: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  for (;;) {
    const { error, results } = await againIfSchemaVanished(() => migrator.migrateDown());
    if (error) throw error instanceof Error ? error : new Error(JSON.stringify(error));
    if (!results || results.length === 0) return;
  }
}

/** Runs migrations up or down until the named one is the last run (used by tests of a migration's data changes). */
export async function migrateTo(db: Kysely<any>, name: string, schema?: string): Promise<void> {
  const { error } = await againIfSchemaVanished(() =>
    new Migrator({
      db,
      provider,
      ...(schema ? { migrationTableSchema: schema } : {}),
    }).migrateTo(name),
  );
  if (error) throw error instanceof Error ? error : new Error(JSON.stringify(error));
}
