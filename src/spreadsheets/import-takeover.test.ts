import { randomUUID } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../test/database.js';
import { buildImportJob, buildItem, buildProposal } from '../test/factories.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, type TestServer } from '../test/server.js';
import type { ImportJob, RerunOptions } from './import-repository.js';
import { MAX_IMPORT_ATTEMPTS } from './import-takeover.js';
import { StaleImports } from './stale-imports.js';
import { handsetCsv } from '../test/handset-sheet.js';

/**
 * Imports whose node stopped (a job left running, as a node killed mid-import leaves it): run again
 * by a live node when the upload is in its data folder, failed as before when not, and given up on
 * after MAX_IMPORT_ATTEMPTS runs. Two nodes taking over at once: one claims. The two-node tests
 * (test/two-nodes/long-work.test.ts) kill a real node.
 */
describe.each(dialects)('taking over interrupted imports on %s', (dialect) => {
  let server: TestServer;
  let acquisitionId: string;
  const staff: RerunOptions = { customerOnly: false };
  // Older than any lease: on PostgreSQL the job's node would have renewed it long ago.
  const longAgo = () => new Date(Date.now() - 2 * 60 * 60 * 1000).toISOString();

  beforeAll(async () => {
    server = await createTestServer(dialect);
    acquisitionId = await openAcquisition(
      server,
      buildProposal({
        items: [buildItem({ quantity: 40, characteristics: { handsetModel: 'Yealink T54W' } })],
      }),
    );
  });
  afterAll(() => server.close());

  /** A job its node left running (as killed), with its upload in the data folder unless `file` is null. */
  async function leftRunning(
    file: string | null,
    overrides: Partial<ImportJob> = {},
    options: RerunOptions | null = staff,
  ): Promise<string> {
    const imports = server.services.imports;
    const job = buildImportJob(acquisitionId, {
      fileName: 'handsets.csv',
      createdAt: longAgo(),
      ...overrides,
    });
    await imports.jobs.insert(job, options ? { options, node: 'gone#1' } : undefined);
    if (file !== null) {
      await mkdir(imports.dirOf(job.id), { recursive: true });
      await writeFile(imports.uploadOf(job.id), file);
    }
    return job.id;
  }

  const settled = async (id: string) => {
    let job: ImportJob | undefined;
    await expect
      .poll(async () => (job = await server.services.imports.jobs.get(acquisitionId, id))?.status, {
        timeout: 20_000,
      })
      .not.toBe('running');
    return job!;
  };
  /** Handsets with a MAC address (every sheet here gives one per row). */
  const macsStored = async () => {
    const rows = await server.database.db
      .selectFrom('records')
      .select('id')
      .where('acquisition_id', '=', acquisitionId)
      .where('entity', '=', 'handset')
      .where('values', 'like', '%"mac"%')
      .execute();
    return rows.length;
  };

  it('runs a job again, with its id and options, when its upload is in the data folder: stored once', async () => {
    const imports = server.services.imports;
    const id = await leftRunning(handsetCsv(25, 0x805ec0a00000));
    expect(await imports.recoverInterrupted()).toBe(1);
    const job = await settled(id);
    expect(job).toMatchObject({ status: 'completed', applied: true, rowsRead: 25, attempts: 2 });
    // The plan's 40 handsets exist as empty slots: the rows fill them.
    expect(job.created + job.updated).toBe(25);
    expect(await macsStored()).toBe(25);
    const events = await server.database.db
      .selectFrom('outbox_events')
      .select('payload')
      .where('aggregate_id', '=', acquisitionId)
      .where('payload', 'like', `%${id}%`)
      .execute();
    expect(events).toHaveLength(1);
    const row = await server.database.db
      .selectFrom('imports')
      .select(['node', 'attempts'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ node: imports.node, attempts: 2 });
    // The upload and staged rows go once the run has ended; the report is kept.
    await expect.poll(() => readdir(imports.dirOf(id))).toEqual(['report-0.csv']);
    // A second sweep finds nothing left to do.
    expect(await imports.recoverInterrupted()).toBe(0);
  });

  it('fails the job as before when its upload is not in this node’s data folder', async () => {
    const id = await leftRunning(null);
    expect(await server.services.imports.recoverInterrupted()).toBe(1);
    expect(await settled(id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'import.interrupted', status: 500 },
    });
  });

  it('fails a job stored without its options (before take-over), even with its upload there', async () => {
    const before = await macsStored();
    const id = await leftRunning(handsetCsv(2, 0x805ec0b00000), {}, null);
    await server.services.imports.recoverInterrupted();
    expect(await settled(id)).toMatchObject({ error: { code: 'import.interrupted' } });
    expect(await macsStored()).toBe(before);
  });

  it(`gives up after ${MAX_IMPORT_ATTEMPTS} runs, saying why`, async () => {
    const before = await macsStored();
    const id = await leftRunning(handsetCsv(2, 0x805ec0c00000), {
      attempts: MAX_IMPORT_ATTEMPTS,
    });
    await server.services.imports.recoverInterrupted();
    const job = await settled(id);
    expect(job).toMatchObject({
      status: 'failed',
      error: {
        code: 'import.interrupted-too-often',
        extra: { attempts: MAX_IMPORT_ATTEMPTS },
      },
    });
    expect(job.error!.detail).toContain(`${MAX_IMPORT_ATTEMPTS} times`);
    expect(await macsStored()).toBe(before);
  });

  it('lets exactly one of several nodes claim a stale job, and fences the run that lost it', async () => {
    const id = await leftRunning(null, { id: randomUUID() });
    const stale = new StaleImports(server.database.db);
    const at = new Date().toISOString();
    const staleBefore = new Date(Date.now() - 1000).toISOString();
    const claims = await Promise.all(
      ['a', 'b', 'c', 'd'].map((node) => stale.claim({ id, attempts: 1 }, staleBefore, node, at)),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    // Run 1's node, back from a pause, can neither renew the lease nor record an outcome.
    const jobs = server.services.imports.jobs;
    expect(await jobs.heartbeat(id, 1, 10, at)).toBe(false);
    const outcome = {
      status: 'completed' as const,
      applied: true,
      error: null,
      finishedAt: at,
      sheets: [],
      rowsRead: 1,
      created: 1,
      updated: 0,
      unchanged: 0,
      invalid: 0,
    };
    expect(await jobs.finish(id, 1, outcome, [])).toBe(false);
    expect(await jobs.heartbeat(id, 2, 10, at)).toBe(true);
    // A fresh lease is no longer stale: nobody claims or fails it.
    expect(await stale.claim({ id, attempts: 2 }, staleBefore, 'e', at)).toBe(false);
    expect(await jobs.finish(id, 2, outcome, [])).toBe(true);
    expect(await jobs.get(acquisitionId, id)).toMatchObject({ status: 'completed', attempts: 2 });
  });
});
