import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildItem, buildProposal } from '../../src/test/factories.js';
import { upload } from '../../src/test/http-client.js';
import { waitFor } from '../../src/test/listener.js';
import {
  newAdminToken,
  startServerProcess,
  type ServerProcess,
} from '../../src/test/server-process.js';
import type { ImportJob } from '../../src/spreadsheets/import-repository.js';

const ROWS = 20_000;

/** A handset sheet of `rows` rows with distinct MACs, at the factories' York Office. */
function handsetCsv(rows: number, first: number): Uint8Array {
  const lines = ['MAC Address,Site'];
  for (let i = 0; i < rows; i++)
    lines.push(`${(first + i).toString(16).padStart(12, '0')},York Office`);
  return new TextEncoder().encode(`${lines.join('\n')}\n`);
}

/**
 * On SQLite an import writes its batches into temporary staging tables, each batch in its own
 * transaction, and swaps them in at the end. A process killed between batches must leave nothing
 * of the import in the database file: the staging tables die with the connection.
 */
describe('SIGKILL during an import staged on sqlite', () => {
  const token = newAdminToken();
  const headers = { authorization: `Bearer ${token}` };
  let folder: string;
  let server: ServerProcess | undefined;
  const start = async () => {
    server = await startServerProcess({
      DATABASE_URL: `sqlite:${join(folder, 'intake.db')}`,
      INTAKE_ADMIN_TOKEN: token,
      INTAKE_DATA_DIR: join(folder, 'data'),
      INTAKE_IMPORT_LEASE_MS: '1500',
    });
    return server;
  };
  const call = async <T>(path: string, init: RequestInit = {}) => {
    const response = await fetch(`${server!.base}/api/v1${path}`, {
      ...init,
      headers: { ...headers, 'content-type': 'application/json' },
      signal: AbortSignal.timeout(30_000),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  /** Handsets with a MAC in the file, read straight from it while no server runs. */
  const filledInFile = (acquisitionId: string) => {
    const file = new SQLite(join(folder, 'intake.db'), { readonly: true });
    try {
      return (
        file
          .prepare(
            `select count(*) as n from records where acquisition_id = ? and entity = 'handset' and "values" like '%"mac"%'`,
          )
          .get(acquisitionId) as { n: number }
      ).n;
    } finally {
      file.close();
    }
  };

  /** The apply's undo log in the file: its rows, and whether the apply committed. */
  const undoInFile = () => {
    const file = new SQLite(join(folder, 'intake.db'), { readonly: true });
    try {
      return file
        .prepare(
          `select count(*) as rows, coalesce(max(part = 'committed'), 0) as committed from staging_undo`,
        )
        .get() as { rows: number; committed: number };
    } finally {
      file.close();
    }
  };
  /** History rows the imports wrote, and how many distinct (record, field) they are about. */
  const importHistoryInFile = (acquisitionId: string) => {
    const file = new SQLite(join(folder, 'intake.db'), { readonly: true });
    try {
      return file
        .prepare(
          `select count(*) as rows, count(distinct record_id || '/' || field) as changes from record_history where acquisition_id = ? and source = 'import'`,
        )
        .get(acquisitionId) as { rows: number; changes: number };
    } finally {
      file.close();
    }
  };
  const openAcquisition = async () => {
    const opened = await call<{ id: string }>('/acquisitions', {
      method: 'POST',
      body: JSON.stringify(
        buildProposal({
          items: [buildItem({ quantity: ROWS, characteristics: { handsetModel: 'Yealink T54W' } })],
        }),
      ),
    });
    expect(opened.status).toBe(201);
    return opened.body.id;
  };
  const startImport = async (id: string, first: number) => {
    const started = await upload(
      `${server!.base}/api/v1/acquisitions/${id}/imports`,
      { bytes: handsetCsv(ROWS, first), name: 'handsets.csv' },
      { ...headers, prefer: 'respond-async' },
      { mode: 'valid-rows' },
    );
    expect(started.status).toBe(202);
    return (await started.json()) as ImportJob;
  };
  const settledJob = async (id: string, jobId: string) => {
    let settled: ImportJob | undefined;
    await waitFor(async () => {
      settled = (await call<ImportJob>(`/acquisitions/${id}/imports/${jobId}`)).body;
      return settled.status !== 'running';
    }, 90_000);
    return settled;
  };

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'intake-staged-kill-'));
  });
  afterAll(async () => {
    await server?.kill('SIGKILL');
    await rm(folder, { recursive: true, force: true });
  });

  it('leaves nothing of the import when killed between its batches, and the restarted node imports it once', async () => {
    await start();
    const id = await openAcquisition();
    const job = await startImport(id, 0x805ec0900000);

    // The job answers while it runs (the connection is free between batches): once some rows are
    // staged and it is still running, the process is killed.
    let seen: ImportJob | undefined;
    await waitFor(async () => {
      seen = (await call<ImportJob>(`/acquisitions/${id}/imports/${job.id}`)).body;
      return seen.status !== 'running' || seen.rowsRead > 0;
    }, 60_000);
    await server!.kill('SIGKILL');
    expect(seen).toMatchObject({ status: 'running' });
    expect(seen!.rowsRead).toBeGreaterThan(0);
    expect(seen!.rowsRead).toBeLessThan(ROWS);
    expect(filledInFile(id)).toBe(0);

    // Started again on the same file and folder, the node runs the interrupted job again: stored once.
    await start();
    expect(await settledJob(id, job.id)).toMatchObject({
      status: 'completed',
      rowsRead: ROWS,
      invalid: 0,
    });
    await server!.kill('SIGKILL');
    server = undefined;
    expect(filledInFile(id)).toBe(ROWS);
  }, 180_000);

  it('undoes at the next start an import killed while it was applied, and runs it again once', async () => {
    await start();
    const id = await openAcquisition();
    const job = await startImport(id, 0x805ec0d00000);
    // The apply writes its undo log chunk by chunk: killed once some chunks are in the file.
    await waitFor(() => undoInFile().rows > 0, 90_000);
    await server!.kill('SIGKILL');
    server = undefined;
    const killed = undoInFile();
    expect(killed.committed).toBe(0);
    // Half of it in the tables, as the process left them.
    const half = filledInFile(id);
    expect(half).toBeGreaterThan(0);
    expect(half).toBeLessThan(ROWS);

    await start();
    // Every row filled its handset in the run after the start: none was found filled already.
    expect(await settledJob(id, job.id)).toMatchObject({
      status: 'completed',
      rowsRead: ROWS,
      invalid: 0,
      updated: ROWS,
      unchanged: 0,
    });
    // Once committed, the apply's undo log is deleted.
    await waitFor(() => undoInFile().rows === 0, 30_000);
    await server!.kill('SIGKILL');
    server = undefined;
    expect(filledInFile(id)).toBe(ROWS);
    // What the killed run applied was undone: each change is in the history once.
    const history = importHistoryInFile(id);
    expect(history.rows).toBe(history.changes);
    expect(history.rows).toBeGreaterThanOrEqual(ROWS);
  }, 180_000);
});
