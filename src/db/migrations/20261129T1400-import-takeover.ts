import type { Kysely } from 'kysely';

/**
 * Taking over an interrupted import (src/spreadsheets/import-takeover.ts): which run of the job
 * this is (1 for the node that received the upload, then one more per take-over), the node that
 * runs it, and the request's options the upload was read with, so that another node can run it
 * again as it was asked. Jobs from before have no options: they are failed as before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('imports')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.alterTable('imports').addColumn('node', 'text').execute();
  await db.schema.alterTable('imports').addColumn('options', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('imports').dropColumn('options').execute();
  await db.schema.alterTable('imports').dropColumn('node').execute();
  await db.schema.alterTable('imports').dropColumn('attempts').execute();
}
