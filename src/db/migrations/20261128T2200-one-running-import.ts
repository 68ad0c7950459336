import { sql, type Kysely } from 'kysely';

/**
 * At most one running import per acquisition, held by the database so that every node sees it:
 * a second start fails on this index. Jobs left running by a stopped process are marked failed
 * first, as every start does (`failInterrupted`), so that the index can be built.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const error = JSON.stringify({
    code: 'import.interrupted',
    status: 500,
    detail:
      'Intake stopped while the import ran; nothing from it was stored. Upload the file again.',
  });
  await sql`update imports set status = 'failed', error = ${error} where status = 'running'`.execute(
    db,
  );
  await sql`create unique index imports_running_idx on imports (acquisition_id) where status = 'running'`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index imports_running_idx`.execute(db);
}
