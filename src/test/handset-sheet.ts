import { mkdir, writeFile } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Executed } from '../spreadsheets/import-execution.js';
import type { ImportJob } from '../spreadsheets/import-repository.js';
import { buildImportJob } from './factories.js';
import type { TestServer } from './server.js';

/** A handset sheet of `rows` rows with distinct MACs from `first`, at the factories' York Office. */
export function handsetCsv(rows: number, first: number): string {
  const lines = ['MAC Address,Site'];
  for (let i = 0; i < rows; i++)
    lines.push(`${(first + i).toString(16).padStart(12, '0')},York Office`);
  return `${lines.join('\n')}\n`;
}

/** The acquisition's handsets with a MAC, as a request outside any import sees them. */
export async function handsetsWithMac(
  db: Kysely<Database>,
  acquisitionId: string,
): Promise<number> {
  const { n } = await db
    .selectFrom('records')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('acquisition_id', '=', acquisitionId)
    .where('entity', '=', 'handset')
    .where('values', 'like', '%"mac"%')
    .executeTakeFirstOrThrow();
  return Number(n);
}

/**
 * Records a job as the import service would, with the sheet as its upload, and runs it through
 * the service's execution (in-process on SQLite, the worker thread on PostgreSQL), `onProgress`
 * hearing each batch.
 */
export async function runSheet(
  server: TestServer,
  acquisitionId: string,
  csv: string,
  onProgress: (rowsRead: number) => void = () => undefined,
): Promise<{ job: ImportJob; run: Promise<Executed> }> {
  const imports = server.services.imports;
  const job = buildImportJob(acquisitionId, { fileName: 'handsets.csv' });
  await imports.jobs.insert(job, { options: { customerOnly: false }, node: 'test#1' });
  await mkdir(imports.dirOf(job.id), { recursive: true });
  await writeFile(imports.uploadOf(job.id), csv);
  const run = imports.execution.execute({
    job,
    options: { customerOnly: false },
    dir: imports.dirOf(job.id),
    upload: imports.uploadOf(job.id),
    onProgress,
  });
  return { job, run };
}
