import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../test/database.js';
import { buildImportJob, buildItem, buildProposal } from '../test/factories.js';
import { listen, upload } from '../test/http-client.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, type TestServer } from '../test/server.js';

interface Job {
  id: string;
  status: string;
  applied: boolean;
  rowsRead: number;
  created: number;
  updated: number;
  invalid: number;
  findings: { row: number; rule: string; message: string }[];
}

/** A user sheet of `rows` rows with distinct e-mail addresses; `cell(i)` overrides the first name. */
function userCsv(rows: number, firstName: (i: number) => string = (i) => `Ann${i}`): Uint8Array {
  const lines = ['First Name,Last Name,Email'];
  for (let i = 0; i < rows; i++) lines.push(`${firstName(i)},Lee,ann${i}@fenwick.example`);
  return new TextEncoder().encode(`${lines.join('\n')}\n`);
}

describe.each(dialects)('bounded imports on %s', (dialect) => {
  let server: TestServer;
  let base: string;
  let acquisitionId: string;
  const sales = () => server.auth('sales');
  const url = (path = '') => `${base}/api/v1/acquisitions/${acquisitionId}${path}`;
  const users = async () =>
    server.database.db
      .selectFrom('records')
      .select(['id', 'values'])
      .where('acquisition_id', '=', acquisitionId)
      .where('entity', '=', 'user')
      .orderBy('id')
      .execute();
  const importUsers = async (bytes: Uint8Array, mode: string) => {
    const response = await upload(url(`/imports?mode=${mode}`), { bytes, name: 'u.csv' }, sales());
    return { status: response.status, job: (await response.json()) as Job };
  };

  beforeAll(async () => {
    server = await createTestServer(dialect);
    base = await listen(server);
    // 3 seats: at most 3 users, all three created (empty) at open.
    acquisitionId = await openAcquisition(
      server,
      buildProposal({ items: [buildItem({ quantity: 3 })] }),
    );
  });
  afterAll(() => server.close());

  it('all-or-nothing: rows above the plan and past the ceiling make it store nothing', async () => {
    const before = await users();
    const { status, job } = await importUsers(userCsv(50), 'all-or-nothing');
    expect(status).toBe(201);
    // 3 planned, 10 more kept above the plan (blocking), the other 37 refused by row.
    expect(job).toMatchObject({ applied: false, rowsRead: 50, created: 10, invalid: 47 });
    expect(job.findings.filter((f) => f.rule === 'plan.above')).toHaveLength(10);
    expect(job.findings.find((f) => f.rule === 'plan.above')).toMatchObject({
      row: 5,
      message: expect.stringContaining(
        'the proposal allows 3 user records and this row makes 4',
      ) as string,
    });
    const refused = job.findings.filter((f) => f.rule === 'import.row');
    expect(refused).toHaveLength(37);
    expect(refused[0]).toMatchObject({
      row: 15,
      message: expect.stringContaining('Intake keeps at most 13') as string,
    });
    expect(await users()).toEqual(before);
  });

  it('valid-rows: fills the planned records, keeps ten above the plan and rejects the rest by row', async () => {
    const { job } = await importUsers(userCsv(50), 'valid-rows');
    expect(job).toMatchObject({ applied: true, updated: 3, created: 10, invalid: 47 });
    const stored = await users();
    expect(stored).toHaveLength(13);
    expect(stored.map((u) => JSON.parse(u.values) as { firstName?: string })).toEqual(
      expect.arrayContaining([expect.objectContaining({ firstName: 'Ann0' })]),
    );
  });

  it('refuses a value longer than its field by row, storing none of it', async () => {
    const before = await users();
    const { job } = await importUsers(
      userCsv(1, () => `Ann${'n'.repeat(60)}`),
      'valid-rows',
    );
    expect(job).toMatchObject({ applied: true, updated: 0, invalid: 1 });
    expect(job.findings[0]).toMatchObject({
      row: 2,
      rule: 'import.row',
      message: expect.stringContaining('First name has 63 characters; at most 40') as string,
    });
    expect(await users()).toEqual(before);
  });

  it('turns a NUL character in a cell into a row error, on both databases', async () => {
    const before = await users();
    const { status, job } = await importUsers(
      userCsv(1, () => 'An\u0000n'),
      'valid-rows',
    );
    expect(status).toBe(201);
    expect(job).toMatchObject({ status: 'completed', invalid: 1 });
    expect(job.findings[0]!.message).toContain('NUL');
    expect(await users()).toEqual(before);
  });

  it('runs one import per acquisition at a time: a second, even a dry run, answers 409', async () => {
    // Another import (of another node, say) is running.
    const running = randomUUID();
    await server.services.imports.jobs.insert(
      buildImportJob(acquisitionId, { id: running, fileName: 'other.csv', actor: 'someone' }),
    );
    for (const mode of ['validate', 'valid-rows']) {
      const { status, job } = await importUsers(userCsv(1), mode);
      expect(status, mode).toBe(409);
      expect(job).toMatchObject({ code: 'import.already-running', runningImportId: running });
    }
    // Two starts that race past the check still meet the database's index.
    await expect(
      server.services.imports.jobs.insert(
        buildImportJob(acquisitionId, {
          requestHash: 'y',
          fileName: 'second.csv',
          mode: 'validate',
        }),
      ),
    ).rejects.toMatchObject({ code: 'import.already-running' });
    await server.database.db
      .updateTable('imports')
      .set({ status: 'completed' })
      .where('id', '=', running)
      .execute();
    expect((await importUsers(userCsv(1), 'validate')).status).toBe(201);
  });
});
