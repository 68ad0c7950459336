import { KEY_FILE } from '../secrets/secret-key.js';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../data-dir.js';
import { dialects } from '../test/database.js';
import { buildImportJob, buildItem, buildProposal } from '../test/factories.js';
import { listen, upload } from '../test/http-client.js';
import { ImportLease } from './import-lease.js';
import { ImportTakeover } from './import-takeover.js';
import { StaleImports } from './stale-imports.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, type TestServer } from '../test/server.js';
import { buildXlsx, type XlsxRow } from '../test/xlsx-file.js';

/** Every file (not folder) under a folder, as paths relative to it. */
/** The files an import left in the data folder (the secret key file is Intake's own). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !(e.parentPath === dir && e.name === KEY_FILE))
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

/** A handset sheet: a header, `rows` good rows, then the rows given. */
function handsetWorkbook(rows: number, after: XlsxRow[] = []): Buffer {
  const body: XlsxRow[] = [{ cells: [{ text: 'MAC Address' }, { text: 'Site' }] }];
  for (let i = 0; i < rows; i++) {
    const mac = (0x805ec0400000 + i).toString(16).padStart(12, '0');
    body.push({ cells: [{ text: mac }, { text: 'York Office' }] });
  }
  return buildXlsx([{ name: 'Handsets', rows: [...body, ...after] }]);
}

describe.each(dialects)('the files of imports on %s', (dialect) => {
  let server: TestServer;
  let base: string;
  let acquisitionId: string;
  const sales = () => server.auth('sales');
  const url = (path = '') => `${base}/api/v1/acquisitions/${acquisitionId}${path}`;

  beforeAll(async () => {
    server = await createTestServer(dialect);
    base = await listen(server);
    acquisitionId = await openAcquisition(
      server,
      buildProposal({
        items: [buildItem({ quantity: 40, characteristics: { handsetModel: 'Yealink T54W' } })],
      }),
    );
  });
  afterAll(() => server.close());

  it('keeps uploads and reports in folders and files only Intake’s user may read', async () => {
    const response = await upload(
      url('/imports'),
      { bytes: handsetWorkbook(2), name: 'handsets.xlsx' },
      sales(),
      { mode: 'validate' },
    );
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    const modeOf = async (path: string) => (await stat(path)).mode & 0o777;
    const imports = server.services.imports;
    expect(await modeOf(join(server.dataDir, 'imports'))).toBe(PRIVATE_DIR_MODE);
    expect(await modeOf(imports.incomingDir())).toBe(PRIVATE_DIR_MODE);
    expect(await modeOf(imports.dirOf(id))).toBe(PRIVATE_DIR_MODE);
    expect(await filesUnder(server.dataDir)).toEqual([join('imports', id, 'report-0.csv')]);
    expect(await modeOf(imports.reportFile(id, 0))).toBe(PRIVATE_FILE_MODE);
    await rm(imports.dirOf(id), { recursive: true });
  });

  it('answers 422 naming cell ZZZZZZZ2 through the HTTP route, and keeps no file', async () => {
    const bytes = handsetWorkbook(1, [{ r: '3', cells: [{ r: 'ZZZZZZZ3', text: 'x' }] }]);
    expect(bytes.length).toBeLessThan(1536);
    const response = await upload(url('/imports'), { bytes, name: 'bomb.xlsx' }, sales());
    expect(response.status).toBe(422);
    const problem = (await response.json()) as { code: string; detail: string; cell: string };
    expect(problem).toMatchObject({ code: 'import.too-many-columns', cell: 'ZZZZZZZ3' });
    expect(problem.detail).toContain('ZZZZZZZ3');
    expect(await filesUnder(server.dataDir)).toEqual([]);
  });

  it('answers 422 for a cell past the limit below the first rows (while importing), rolls back and keeps no file', async () => {
    // Far enough down that the sheet's first rows (read to find the header) come in an earlier chunk.
    const bytes = handsetWorkbook(3000, [{ r: '3010', cells: [{ r: 'XFD3010', text: 'x' }] }]);
    const response = await upload(url('/imports'), { bytes, name: 'late.xlsx' }, sales());
    expect(response.status).toBe(422);
    const problem = (await response.json()) as { code: string; cell: string; importId: string };
    expect(problem).toMatchObject({ code: 'import.too-many-columns', cell: 'XFD3010' });
    const job = await fetch(url(`/imports/${problem.importId}`), { headers: sales() });
    expect(await job.json()).toMatchObject({
      status: 'failed',
      error: { code: 'import.too-many-columns', status: 422 },
    });
    const handsets = await server.app.inject({
      method: 'GET',
      url: `/api/v1/acquisitions/${acquisitionId}/records?entity=handset&limit=200`,
      headers: sales(),
    });
    const macs = handsets
      .json<{ items: { values: { mac?: string } }[] }>()
      .items.filter((r) => r.values.mac);
    expect(macs).toEqual([]);
    expect(await filesUnder(server.dataDir)).toEqual([]);
  });

  it('keeps no file from an upload that cannot be read, or that fails on its options', async () => {
    const damaged = Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(200, 7)]);
    const unreadable = await upload(url('/imports'), { bytes: damaged, name: 'x.xlsx' }, sales());
    expect(unreadable.status).toBe(422);
    expect(await unreadable.json()).toMatchObject({ code: 'import.unreadable' });
    const noEntity = await upload(
      url('/imports'),
      { bytes: new TextEncoder().encode('a,b\n1,2\n'), name: 'x.csv' },
      sales(),
    );
    expect(noEntity.status).toBe(422);
    const badMode = await upload(
      url('/imports'),
      { bytes: handsetWorkbook(1), name: 'x.xlsx' },
      sales(),
      { mode: 'sometimes' },
    );
    expect(badMode.status).toBe(400);
    expect(await filesUnder(server.dataDir)).toEqual([]);
  });

  it('removes at the next start what an import interrupted by a crash left on disk', async () => {
    // A process that died reading an upload leaves it in incoming, and a running job its staging.
    // Long enough ago that, with several nodes (PostgreSQL), its node's lease has run out too.
    const imports = server.services.imports;
    const id = randomUUID();
    const longAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await imports.jobs.insert(
      buildImportJob(acquisitionId, {
        id,
        fileName: 'handsets.xlsx',
        format: 'xlsx',
        createdAt: longAgo.toISOString(),
      }),
    );
    await mkdir(imports.dirOf(id), { recursive: true });
    await writeFile(join(imports.dirOf(id), 'staging-0.jsonl'), '[2,"r","",["a"]]\n');
    await mkdir(imports.incomingDir(), { recursive: true });
    const left = join(imports.incomingDir(), randomUUID());
    await writeFile(left, 'PK');
    await utimes(left, longAgo, longAgo);
    expect(await filesUnder(server.dataDir)).toHaveLength(2);

    expect(await imports.recoverInterrupted()).toBe(1);
    expect(await filesUnder(server.dataDir)).toEqual([]);
    expect(await imports.jobs.get(acquisitionId, id)).toMatchObject({
      status: 'failed',
      error: { code: 'import.interrupted' },
    });
  });
});

// Several nodes share one database only on PostgreSQL; on SQLite a start fails every running job.
describe.each(dialects.filter((d) => d === 'postgres'))('import leases on %s', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer(dialect);
  });
  afterAll(() => server.close());

  it('on several nodes, leaves the jobs whose node renews its lease, and fails them once it stops', async () => {
    const imports = server.services.imports;
    expect(imports.lease?.ms).toBe(30_000);
    const id = randomUUID();
    const other = await openAcquisition(
      server,
      buildProposal({ items: [buildItem({ quantity: 2 })] }),
    );
    await imports.jobs.insert(buildImportJob(other, { id, createdAt: new Date().toISOString() }));
    const upload = join(imports.incomingDir(), randomUUID());
    await mkdir(imports.incomingDir(), { recursive: true });
    await writeFile(upload, 'PK');

    // Another node starting now: the job and the upload are a live node's, and are left alone.
    expect(await imports.recoverInterrupted()).toBe(0);
    expect(await imports.jobs.get(other, id)).toMatchObject({ status: 'running' });
    expect(await filesUnder(server.dataDir)).toEqual([upload.slice(server.dataDir.length + 1)]);

    // Its node renews the lease with the rows read, which every node can show.
    const renewing = new ImportLease(
      imports.jobs,
      600,
      () => new Date(),
      async () => 0,
      () => {},
    );
    const release = renewing.keep(id, 1, () => 1234);
    await expect
      .poll(async () => (await imports.jobs.get(other, id))?.rowsRead, { timeout: 5_000 })
      .toBe(1234);
    release();

    // Half a minute later the lease has run out: the next sweep, on any node, fails the job (no
    // node can read an upload of it to run it again: import-takeover.test.ts).
    const later = new Date(Date.now() + 31_000);
    const sweeperOf = (own: string[]) => {
      const takeover = new ImportTakeover(
        new StaleImports(server.database.db),
        (job) => imports.uploadOf(job),
        async () => {},
        async () => {},
        () => later,
      );
      return new ImportLease(
        imports.jobs,
        30_000,
        () => later,
        async (staleBefore) => {
          const { failed, resumed } = await takeover.recover(staleBefore, own);
          return failed.length + resumed.length;
        },
        () => {},
      );
    };
    // Not by the node that runs it, though: there its heartbeat may only be late.
    expect(await sweeperOf([id]).sweep()).toBe(0);
    expect(await sweeperOf([]).sweep()).toBe(1);
    expect(await imports.jobs.get(other, id)).toMatchObject({
      status: 'failed',
      error: { code: 'import.interrupted' },
    });
    await rm(upload, { force: true });
  });
});
