import { existsSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../test/database.js';
import { buildItem, buildProposal } from '../test/factories.js';
import { listen, upload } from '../test/http-client.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, type TestServer } from '../test/server.js';
import type { ImportJobView } from './import-repository.js';

const DAY = 24 * 60 * 60 * 1000;

describe.each(dialects)('import files past the retention period on %s', (dialect) => {
  let server: TestServer;
  let base: string;
  let acquisitionId: string;
  // The server's clock: tests move it on.
  let clock = new Date('2026-11-01T09:00:00Z');
  const sales = () => server.auth('sales');
  const url = (path = '') => `${base}/api/v1/acquisitions/${acquisitionId}${path}`;
  const dryRun = async (name: string) => {
    const response = await upload(
      url('/imports'),
      { bytes: new TextEncoder().encode('MAC Address,Site\n805ec0500001,York Office\n'), name },
      sales(),
      { mode: 'validate' },
    );
    expect(response.status).toBe(201);
    return (await response.json()) as ImportJobView;
  };

  beforeAll(async () => {
    server = await createTestServer(dialect, () => clock);
    base = await listen(server);
    acquisitionId = await openAcquisition(
      server,
      buildProposal({
        items: [buildItem({ quantity: 2, characteristics: { handsetModel: 'Yealink T54W' } })],
      }),
    );
  });
  afterAll(() => server.close());

  it('deletes reports older than INTAKE_IMPORT_RETENTION_DAYS (7) and answers 410 for them, keeping newer ones', async () => {
    const imports = server.services.imports;
    const old = await dryRun('old.csv');
    clock = new Date(clock.getTime() + 2 * DAY);
    const recent = await dryRun('recent.csv');
    expect(old.links.reportCsv).toBeDefined();
    expect(existsSync(imports.reportFile(old.id, 0))).toBe(true);
    // An upload a failed request left in incoming long ago goes too; one just arriving stays.
    await mkdir(imports.incomingDir(), { recursive: true });
    const stale = join(imports.incomingDir(), 'left-behind');
    const fresh = join(imports.incomingDir(), 'arriving');
    await writeFile(stale, 'x');
    await writeFile(fresh, 'y');
    // Long ago by the server's clock, which the sweep reads (not by this machine's).
    const longAgo = new Date(clock.getTime() - 30 * DAY);
    await utimes(stale, longAgo, longAgo);

    // Six days after the first import nothing has expired.
    clock = new Date(clock.getTime() + 4 * DAY);
    expect(await server.services.importRetention.sweep()).toBe(0);
    expect(existsSync(imports.reportFile(old.id, 0))).toBe(true);

    // Eight days after it, the first one's report goes; the second one (six days old) stays.
    clock = new Date(clock.getTime() + 2 * DAY);
    expect(await server.services.importRetention.sweep()).toBe(1);
    expect(existsSync(imports.dirOf(old.id))).toBe(false);
    expect(existsSync(imports.reportFile(recent.id, 0))).toBe(true);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);

    const gone = await fetch(url(`/imports/${old.id}/report?format=csv`), { headers: sales() });
    expect(gone.status).toBe(410);
    expect(gone.headers.get('content-type')).toContain('application/problem+json');
    expect(await gone.json()).toMatchObject({
      code: 'import.report-expired',
      removedAt: clock.toISOString(),
    });
    expect((await fetch(url(`/imports/${old.id}/report`), { headers: sales() })).status).toBe(410);
    const job = (await (
      await fetch(url(`/imports/${old.id}`), { headers: sales() })
    ).json()) as ImportJobView;
    expect(job).toMatchObject({ status: 'completed', filesRemovedAt: clock.toISOString() });
    expect(job.links.reportCsv).toBeUndefined();
    const kept = await fetch(url(`/imports/${recent.id}/report?format=csv`), { headers: sales() });
    expect(kept.status).toBe(200);
    await kept.arrayBuffer();

    // A second sweep finds nothing more to do.
    expect(await server.services.importRetention.sweep()).toBe(0);
  });

  it('sweeps at start and then on a timer that keeps no process alive, until stopped', async () => {
    const job = await dryRun('timed.csv');
    clock = new Date(clock.getTime() + 8 * DAY);
    const retention = server.services.importRetention;
    retention.start(20);
    for (let i = 0; i < 100 && existsSync(server.services.imports.dirOf(job.id)); i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(existsSync(server.services.imports.dirOf(job.id))).toBe(false);
    await retention.stop();
    const after = await dryRun('after-stop.csv');
    clock = new Date(clock.getTime() + 8 * DAY);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(existsSync(server.services.imports.reportFile(after.id, 0))).toBe(true);
  });
});
