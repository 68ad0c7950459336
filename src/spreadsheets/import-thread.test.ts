import { threadId } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../config.js';
import { isDatabaseUnavailable } from '../db/connect.js';
import { AppError } from '../errors.js';
import { dialects } from '../test/database.js';
import { buildItem, buildProposal } from '../test/factories.js';
import { handsetCsv, handsetsWithMac, runSheet as runHandsetSheet } from '../test/handset-sheet.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, type TestServer } from '../test/server.js';
import { TakenOver } from './import-execution.js';
import { ThreadExecution } from './import-thread.js';

const CLOCK = new Date('2031-03-04T05:06:07.000Z');

/**
 * On PostgreSQL an import runs on a worker thread with connections of its own, so that a hundred
 * thousand rows of CPU leave the request thread free. The worker runs the same `runImport`: the
 * other import tests, run on PostgreSQL, are its behaviour. These show what is the worker's own:
 * the process's clock, a run taken back when another node took the job over, a worker that dies.
 */
describe.each(dialects.filter((d) => d === 'postgres'))(
  'imports on a worker thread on %s',
  (dialect) => {
    let server: TestServer;
    const execution = () => server.services.imports.execution as ThreadExecution;

    beforeAll(async () => {
      // A test clock: the worker's times follow the process's, not the wall clock.
      const started = Date.now();
      server = await createTestServer(
        dialect,
        () => new Date(CLOCK.getTime() + Date.now() - started),
      );
    });
    afterAll(() => server.close());

    /** A new acquisition of `seats` handsets (one import runs per acquisition at a time). */
    const acquisitionOf = (seats: number) =>
      openAcquisition(
        server,
        buildProposal({
          items: [
            buildItem({ quantity: seats, characteristics: { handsetModel: 'Yealink T54W' } }),
          ],
        }),
      );

    const handsets = (acquisitionId: string) => handsetsWithMac(server.database.db, acquisitionId);
    const runSheet = (
      acquisitionId: string,
      csv: string,
      onProgress?: (rowsRead: number) => void,
    ) => runHandsetSheet(server, acquisitionId, csv, onProgress);

    it('runs the rows on another thread, stamped with the process clock', async () => {
      expect(server.services.imports.execution).toBeInstanceOf(ThreadExecution);
      const acquisitionId = await acquisitionOf(40);
      const { job, run } = await runSheet(acquisitionId, handsetCsv(12, 0x805ec0200000));
      const { result, finishedAt } = await run;
      const imports = server.services.imports;
      expect(execution().threadId).toBeGreaterThan(threadId);
      expect(result).toMatchObject({ applied: true, rowsRead: 12, invalid: 0 });
      expect(await handsets(acquisitionId)).toBe(12);
      // Stored with the rows: the outcome, at the process's (test) time.
      expect(finishedAt.slice(0, 10)).toBe('2031-03-04');
      const stored = await imports.jobs.get(acquisitionId, job.id);
      expect(stored).toMatchObject({ status: 'completed', rowsRead: 12, finishedAt });
      const history = await server.database.db
        .selectFrom('record_history')
        .select('at')
        .where('acquisition_id', '=', acquisitionId)
        .where('source', '=', 'import')
        .execute();
      expect(history.length).toBeGreaterThan(0);
      for (const h of history) expect(String(h.at).slice(0, 10)).toBe('2031-03-04');
    });

    it('stops a run taken back (another node took the job over): nothing stored, the job left', async () => {
      // Past one batch (2,000 rows on PostgreSQL): told at the first, the worker stops at the next.
      const acquisitionId = await acquisitionOf(3000);
      const { job, run } = await runSheet(acquisitionId, handsetCsv(3000, 0x805ec0300000), () => {
        throw new TakenOver();
      });
      await expect(run).rejects.toBeInstanceOf(TakenOver);
      expect(await handsets(acquisitionId)).toBe(0);
      expect(await server.services.imports.jobs.get(acquisitionId, job.id)).toMatchObject({
        status: 'running',
      });
    });

    it('fails a run with what its progress listener threw, as in-process: nothing stored', async () => {
      const acquisitionId = await acquisitionOf(3000);
      const { run } = await runSheet(acquisitionId, handsetCsv(3000, 0x805ec0600000), () => {
        throw new Error('the follower went away');
      });
      await expect(run).rejects.toThrow('the follower went away');
      expect(await handsets(acquisitionId)).toBe(0);
    });

    it('re-validates on the worker: repairs what was written behind its back; an unknown acquisition is refused', async () => {
      const acquisitionId = await acquisitionOf(40);
      const { db } = server.database;
      const handset = await db
        .selectFrom('records')
        .select(['id', 'values'])
        .where('acquisition_id', '=', acquisitionId)
        .where('entity', '=', 'handset')
        .executeTakeFirstOrThrow();
      // An invalid MAC written straight into the table: only a full re-validation finds it.
      const values = {
        ...(JSON.parse(String(handset.values)) as object),
        mac: '80:5E:C0:00:00:ZZ',
      };
      await db
        .updateTable('records')
        .set({ values: JSON.stringify(values) })
        .where('id', '=', handset.id)
        .execute();
      const onWorker = vi.spyOn(execution(), 'revalidate');
      const result = await server.services.capture.revalidate(acquisitionId);
      // The service handed it to the worker, which worked it out.
      expect(onWorker).toHaveBeenCalledWith(acquisitionId);
      onWorker.mockRestore();
      expect(result).toMatchObject({ repaired: 1, blocking: 1 });
      const findings = await db
        .selectFrom('findings')
        .select(['field', 'severity'])
        .where('record_id', '=', handset.id)
        .execute();
      expect(findings).toContainEqual({ field: 'mac', severity: 'blocking' });
      const unknown = execution().revalidate('00000000-0000-4000-8000-000000000000');
      await expect(unknown).rejects.toBeInstanceOf(AppError);
      await expect(unknown).rejects.toMatchObject({ status: 404 });
    });

    it('brings back a database that could not be reached as such (503), not as a failure (500)', async () => {
      // Nothing listens on port 1: the worker's connection is refused.
      const unreachable = new ThreadExecution(
        { url: 'postgres://postgres@127.0.0.1:1/none', dialect: 'postgres' },
        loadConfig({}).imports,
        () => new Date(),
      );
      try {
        const error: unknown = await unreachable.revalidate(randomUUID()).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'ECONNREFUSED' });
        expect(isDatabaseUnavailable(error)).toBe(true);
      } finally {
        await unreachable.close();
      }
    });

    it('fails the runs of a worker that dies, stores none of them, and starts another', async () => {
      const acquisitionId = await acquisitionOf(3000);
      let killed: Promise<void> | undefined;
      // Inside the import's transaction, rows written: the worker dies.
      const { job, run } = await runSheet(
        acquisitionId,
        handsetCsv(2500, 0x805ec0400000),
        () => void (killed ??= execution().terminate()),
      );
      await expect(run).rejects.toThrow(/worker thread exited/);
      await killed;
      // Its transaction died with its connection.
      await expect.poll(() => handsets(acquisitionId), { timeout: 10_000 }).toBe(0);
      expect(await server.services.imports.jobs.get(acquisitionId, job.id)).toMatchObject({
        status: 'running',
      });

      // The next import has a new worker.
      const other = await acquisitionOf(40);
      const { result } = await (await runSheet(other, handsetCsv(5, 0x805ec0500000))).run;
      expect(result).toMatchObject({ applied: true, rowsRead: 5, invalid: 0 });
      expect(await handsets(other)).toBe(5);
    });
  },
);
