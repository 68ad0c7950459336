import { setImmediate } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stagedApplies } from '../db/staged-import-gates.js';
import { buildItem, buildProposal } from '../test/factories.js';
import { handsetCsv, handsetsWithMac, runSheet as runHandsetSheet } from '../test/handset-sheet.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, type TestServer } from '../test/server.js';

/**
 * On a SQLite file an import runs on the import worker thread, on a connection of its own: it is
 * written into a staging area there (temporary tables, which nobody waits for), then applied a
 * chunk of records per transaction with an undo log, taking a turn at writing the file for each.
 * Other requests go on meanwhile, those about the importing acquisition wait while it is applied,
 * and the import is still seen all at once or not at all.
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

  /** Rows of the apply's undo log left behind: none once an import ended, however it ended. */
  const undoRows = async () =>
    Number(
      (await sql<{ n: number }>`select count(*) as n from staging_undo`.execute(db())).rows[0]!.n,
    );

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
    // At the end, all of it, once; the undo log is gone.
    expect(await filled(importing)).toBe(rows);
    expect(await undoRows()).toBe(0);
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

  it('stores nothing when the acquisition changed meanwhile', async () => {
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
    expect(await undoRows()).toBe(0);
  });

  it('stores nothing when a row past the limit fails the import after batches were staged', async () => {
    const importing = await acquisitionOf(4000);
    let batches = 0;
    const run = runSheet(importing, handsetCsv(3600, 0x805ec0800000), () => batches++);
    await expect(run).rejects.toMatchObject({ code: 'import.too-many-rows', status: 413 });
    expect(batches).toBeGreaterThanOrEqual(6);
    expect(await filled(importing)).toBe(0);
    expect(await undoRows()).toBe(0);
  });

  /** Resolves once the import of the acquisition is being applied (its gate here is held). */
  const whenApplying = async (acquisitionId: string, run: Promise<unknown>) => {
    let settled = false;
    run.then(
      () => (settled = true),
      () => (settled = true),
    );
    while (!stagedApplies.isHeld(acquisitionId)) {
      if (settled) throw new Error('the import ended before it was applied');
      await setImmediate();
    }
  };

  it('lets other acquisitions be written between the chunks of its apply, while requests about it wait for the end', async () => {
    // Seven chunks of 500 records (3,500 rows is the limit here).
    const rows = 3400;
    const importing = await acquisitionOf(rows);
    const other = await acquisitionOf(2);
    const { run } = await runHandsetSheet(server, importing, handsetCsv(rows, 0x805ec0a00000));
    await whenApplying(importing, run);
    // Another deal's edit is answered while the apply still has chunks to go.
    expect((await addUser(other, 'Chidi')).statusCode).toBe(201);
    expect(stagedApplies.isHeld(importing)).toBe(true);
    // A read of the importing deal waits, then sees all of it.
    const read = server.app.inject({
      method: 'GET',
      // The last handset, in the apply's last chunk: filled only when all of it is.
      url: `/api/v1/acquisitions/${importing}/records?entity=handset&offset=${rows - 1}&limit=1`,
      headers: server.auth('sales'),
    });
    const { result } = await run;
    const answer = await read;
    expect(result).toMatchObject({ applied: true, rowsRead: rows, invalid: 0 });
    expect(answer.statusCode).toBe(200);
    const last = answer.json<{ items: { values: Record<string, unknown> }[] }>().items[0];
    expect(last?.values.mac).toBeDefined();
    expect(await filled(importing)).toBe(rows);
    expect(await undoRows()).toBe(0);
  });

  it('undoes what it applied when its last transaction fails, history included', async () => {
    const rows = 3000;
    const importing = await acquisitionOf(rows);
    const history = async () =>
      Number(
        (
          await db()
            .selectFrom('record_history')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('acquisition_id', '=', importing)
            .executeTakeFirstOrThrow()
        ).n,
      );
    /** The acquisition's records, keys and findings, as rows compared whole. */
    const snapshot = async () => ({
      records: await db()
        .selectFrom('records')
        .selectAll()
        .where('acquisition_id', '=', importing)
        .orderBy('id')
        .execute(),
      keys: await db()
        .selectFrom('record_keys')
        .selectAll()
        .where('acquisition_id', '=', importing)
        .orderBy('record_id')
        .orderBy('kind')
        .orderBy('key_value')
        .execute(),
      findings: await db()
        .selectFrom('findings')
        .selectAll()
        .where('acquisition_id', '=', importing)
        .orderBy('record_id')
        .orderBy('rule')
        .orderBy('field')
        .execute(),
    });
    const before = {
      history: await history(),
      version: await dataVersion(importing),
      rows: await snapshot(),
    };
    const { job, run } = await runHandsetSheet(server, importing, handsetCsv(rows, 0x805ec0b00000));
    await whenApplying(importing, run);
    // Another node's claim on the job, as a take-over would make: the job's outcome no longer commits.
    await db()
      .updateTable('imports')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id', '=', job.id)
      .execute();
    await expect(run).rejects.toThrow(/took the import over/);
    expect(await filled(importing)).toBe(0);
    // Every record, key and finding as it was (the rows put back, in another order on disk).
    expect(await snapshot()).toEqual(before.rows);
    expect(await history()).toBe(before.history);
    expect(await dataVersion(importing)).toBe(before.version);
    expect(await undoRows()).toBe(0);
    const keys = await db()
      .selectFrom('record_keys')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('acquisition_id', '=', importing)
      .where('kind', 'like', 'unique:handset%')
      .executeTakeFirstOrThrow();
    expect(Number(keys.n)).toBe(0);
  });
});
