import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildItem, buildProposal } from '../test/factories.js';
import { handsetCsv, handsetsWithMac, runSheet as runHandsetSheet } from '../test/handset-sheet.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, type TestServer } from '../test/server.js';

/**
 * On SQLite an import is written into a staging area in short transactions, one per batch, and
 * swapped in at its end: the process's one connection is free between batches, so other requests
 * go on, and the import is still seen all at once or not at all.
 */
describe('imports staged apart on sqlite', () => {
  let server: TestServer;
  const db = () => server.database.db;

  beforeAll(async () => {
    // Past 3,500 rows a sheet is refused: after seven batches were staged, in the last test.
    server = await createTestServer('sqlite', undefined, { maxRows: 3500 });
  });
  afterAll(() => server.close());

  const acquisitionOf = (seats: number) =>
    openAcquisition(
      server,
      buildProposal({
        items: [buildItem({ quantity: seats, characteristics: { handsetModel: 'Yealink T54W' } })],
      }),
    );

  const filled = (acquisitionId: string) => handsetsWithMac(db(), acquisitionId);

  const stagingTables = async () =>
    (
      await sql<{ name: string }>`select name from sqlite_temp_master where type = 'table'`.execute(
        db(),
      )
    ).rows.map((r) => r.name);

  const dataVersion = async (acquisitionId: string) =>
    Number(
      (
        await db()
          .selectFrom('acquisitions')
          .select('data_version')
          .where('id', '=', acquisitionId)
          .executeTakeFirstOrThrow()
      ).data_version,
    );

  /** Runs the sheet as the import service would, `onProgress` hearing each batch. */
  const runSheet = async (
    acquisitionId: string,
    csv: string,
    onProgress: (rowsRead: number) => void,
  ) => (await runHandsetSheet(server, acquisitionId, csv, onProgress)).run;

  /** A user of the acquisition, named: one field edit through the HTTP API. */
  const addUser = (acquisitionId: string, name: string) =>
    server.app.inject({
      method: 'POST',
      url: `/api/v1/acquisitions/${acquisitionId}/records`,
      headers: server.auth('sales'),
      payload: {
        entity: 'user',
        values: { firstName: name, lastName: 'Okafor', email: `${name}@example.com` },
      },
    });

  it('lets another acquisition be edited and read between its batches, and shows nothing of it until the end', async () => {
    const importing = await acquisitionOf(3000);
    const other = await acquisitionOf(2);
    const rows = 3000;
    const seen: { rowsRead: number; filled: number; status: number }[] = [];
    let edit: Promise<void> | undefined;
    let progress = 0;
    const run = runSheet(importing, handsetCsv(rows, 0x805ec0500000), (rowsRead) => {
      progress = rowsRead;
      // After the first batch: an edit elsewhere, then a read of the importing acquisition.
      edit ??= (async () => {
        const added = await addUser(other, 'Ada');
        seen.push({
          rowsRead: progress,
          filled: await filled(importing),
          status: added.statusCode,
        });
      })();
    });
    const { result } = await run;
    await edit;
    expect(result).toMatchObject({ applied: true, rowsRead: rows, invalid: 0 });
    // The edit was answered while the import still had batches to write, and the read saw none of it.
    expect(seen).toHaveLength(1);
    expect(seen[0]!.status).toBe(201);
    expect(seen[0]!.rowsRead).toBeLessThan(rows);
    expect(seen[0]!.filled).toBe(0);
    // At the end, all of it, once; the staging tables are gone.
    expect(await filled(importing)).toBe(rows);
    expect(await stagingTables()).toEqual([]);
    const job = await db()
      .selectFrom('imports')
      .select(['status', 'created'])
      .where('acquisition_id', '=', importing)
      .executeTakeFirstOrThrow();
    expect(job).toMatchObject({ status: 'completed' });
  });

  it('makes an edit of the importing acquisition wait for the import, then applies it', async () => {
    const importing = await acquisitionOf(2000);
    const order: string[] = [];
    let edit: Promise<number> | undefined;
    const before = await dataVersion(importing);
    const { result } = await runSheet(importing, handsetCsv(2000, 0x805ec0600000), () => {
      edit ??= addUser(importing, 'Bola').then((r) => {
        order.push('edit');
        return r.statusCode;
      });
    }).then((done) => {
      order.push('import');
      return done;
    });
    expect(await edit).toBe(201);
    expect(order).toEqual(['import', 'edit']);
    expect(result.applied).toBe(true);
    expect(await filled(importing)).toBe(2000);
    // The import moved the version once, the edit once more.
    expect(await dataVersion(importing)).toBe(before + 2);
  });

  it('stores nothing, and drops its staging tables, when the acquisition changed meanwhile', async () => {
    const importing = await acquisitionOf(2000);
    let cancelled: Promise<number> | undefined;
    const run = runSheet(importing, handsetCsv(2000, 0x805ec0700000), () => {
      cancelled ??= server.app
        .inject({
          method: 'POST',
          url: `/api/v1/acquisitions/${importing}/cancel`,
          headers: server.auth('sales'),
          payload: {},
        })
        .then((r) => r.statusCode);
    });
    await expect(run).rejects.toMatchObject({ code: 'import.changed-meanwhile', status: 409 });
    expect(await cancelled).toBe(200);
    expect(await filled(importing)).toBe(0);
    expect(await stagingTables()).toEqual([]);
  });

  it('stores nothing when a row past the limit fails the import after batches were staged', async () => {
    const importing = await acquisitionOf(4000);
    let batches = 0;
    const run = runSheet(importing, handsetCsv(3600, 0x805ec0800000), () => batches++);
    await expect(run).rejects.toMatchObject({ name: 'SheetLimitError', row: 3501 });
    expect(batches).toBeGreaterThanOrEqual(6);
    expect(await filled(importing)).toBe(0);
    expect(await stagingTables()).toEqual([]);
  });
});
