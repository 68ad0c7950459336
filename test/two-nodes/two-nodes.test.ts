import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../src/test/database.js';
import { buildItem, buildProposal } from '../../src/test/factories.js';
import { waitFor } from '../../src/test/listener.js';
import { ownDatabase } from '../../src/test/own-database.js';
import {
  apiCaller,
  freePortInRange,
  jsonOf,
  newAdminToken,
  queryRows,
  startServerProcess,
  type ServerProcess,
} from '../../src/test/server-process.js';

const postgres = dialects.includes('postgres');

interface RecordBody {
  id: string;
  version: number;
  values: Record<string, unknown>;
}

/**
 * Two Intake processes on one fresh PostgreSQL database behave as one system. Without PostgreSQL
 * the suite is skipped, and the run says so (src/test/global-setup.ts; it fails instead when
 * INTAKE_TEST_REQUIRE_POSTGRES=1).
 */
describe.skipIf(!postgres)('two nodes on one PostgreSQL (needs PostgreSQL)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  let databaseUrl: string;
  let a: ServerProcess;
  let b: ServerProcess;
  const token = newAdminToken();
  const call = apiCaller(token, 20_000);
  const json = jsonOf;
  const open = async (node: ServerProcess, users: number) => {
    const opened = await call(node, '/acquisitions', {
      method: 'POST',
      body: JSON.stringify(buildProposal({ items: [buildItem({ quantity: users })] })),
    });
    expect(opened.status).toBe(201);
    return (await json<{ id: string }>(opened)).id;
  };
  /** The acquisition's users, read 500 a page. */
  const usersOf = async (node: ServerProcess, id: string) => {
    const users: RecordBody[] = [];
    for (;;) {
      const page = await json<{ items: RecordBody[] }>(
        await call(
          node,
          `/acquisitions/${id}/records?entity=user&limit=500&offset=${users.length}`,
        ),
      );
      users.push(...page.items);
      if (page.items.length < 500) return users;
    }
  };
  const patch = (
    node: ServerProcess,
    id: string,
    record: string,
    version: number,
    values: object,
  ) =>
    call(node, `/acquisitions/${id}/records/${record}`, {
      method: 'PATCH',
      headers: { 'if-match': `"${version}"` },
      body: JSON.stringify(values),
    });
  const query = <T extends pg.QueryResultRow>(text: string) => queryRows<T>(databaseUrl, text);

  beforeAll(async () => {
    const folder = await mkdtemp(join(tmpdir(), 'intake-two-nodes-'));
    cleanups.push(() => rm(folder, { recursive: true, force: true }));
    const own = await ownDatabase('postgres', folder);
    cleanups.push(own.drop);
    databaseUrl = own.url;
    // The nodes share the database and the secret key; each has its own data folder.
    const secretKey = randomBytes(32).toString('base64');
    const settings = (name: string) => ({
      DATABASE_URL: databaseUrl,
      INTAKE_ADMIN_TOKEN: token,
      INTAKE_SECRET_KEY: secretKey,
      INTAKE_DATA_DIR: join(folder, name),
      // Both load the demo into an empty database at start: only one may.
      INTAKE_DEMO: 'true',
      PGAPPNAME: `intake-${name}`,
    });
    const portA = await freePortInRange();
    const portB = await freePortInRange([portA]);
    // Started at the same moment on an empty database: migrations, the first admin token and
    // the demo are done by one of them, under the start-up lock.
    [a, b] = await Promise.all([
      startServerProcess(settings('a'), portA),
      startServerProcess(settings('b'), portB),
    ]);
    cleanups.push(
      () => a.kill('SIGKILL'),
      () => b.kill('SIGKILL'),
    );
  }, 90_000);
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('start together on an empty database: one demo acquisition, one first admin token', async () => {
    const list = await json<{ total: number }>(await call(b, '/acquisitions'));
    expect(list.total).toBe(1);
    const tokens = await query<{ n: number }>('select count(*)::int as n from api_tokens');
    expect(tokens[0]?.n).toBe(1);
  });

  it('open on A, read on B; edit on A, read the value and version on B', async () => {
    const id = await open(a, 5);
    const onB = await call(b, `/acquisitions/${id}`);
    expect(onB.status).toBe(200);
    expect((await json<{ id: string }>(onB)).id).toBe(id);
    const [user] = await usersOf(b, id);
    const edited = await patch(a, id, user!.id, user!.version, { department: 'Surveying' });
    expect(edited.status).toBe(200);
    const readOnB = await call(b, `/acquisitions/${id}/records/${user!.id}`);
    expect(readOnB.headers.get('etag')).toBe(edited.headers.get('etag'));
    const record = await json<RecordBody>(readOnB);
    expect(record.values.department).toBe('Surveying');
    expect(record.version).toBe(user!.version + 1);
  });

  it('let exactly one of two concurrent If-Match edits from A and B win, and lose no update', async () => {
    const id = await open(a, 3);
    const [user] = await usersOf(a, id);
    let version = user!.version;
    const winners: string[] = [];
    for (let round = 0; round < 10; round++) {
      const [fromA, fromB] = await Promise.all([
        patch(a, id, user!.id, version, { department: `A${round}` }),
        patch(b, id, user!.id, version, { department: `B${round}` }),
      ]);
      const statuses = [fromA.status, fromB.status].sort();
      expect(statuses).toEqual([200, 412]);
      winners.push(fromA.status === 200 ? `A${round}` : `B${round}`);
      version++;
    }
    const final = await json<RecordBody>(await call(b, `/acquisitions/${id}/records/${user!.id}`));
    expect(final.version).toBe(version);
    expect(final.values.department).toBe(winners.at(-1));
    // The history holds every winning write, in order, and nothing of the losers.
    const history = await json<{ items: { field: string; newValue: unknown }[] }>(
      await call(a, `/acquisitions/${id}/records/${user!.id}/history`),
    );
    const departments = history.items
      .filter((h) => h.field === 'department')
      .map((h) => h.newValue);
    expect(departments).toEqual(expect.arrayContaining(winners));
    expect(departments.length).toBe(winners.length);
  });

  it('see on B a change of the acquisition made on A (B had cached its capture context)', async () => {
    const id = await open(a, 2);
    const [first, second] = await usersOf(b, id);
    // B writes first: its capture context for the acquisition is now cached.
    expect((await patch(b, id, first!.id, first!.version, { department: 'Sales' })).status).toBe(
      200,
    );
    const cancelled = await call(a, `/acquisitions/${id}/cancel`, {
      method: 'POST',
      body: JSON.stringify({ reason: 'Two-node test' }),
    });
    expect(cancelled.status).toBe(200);
    const refused = await patch(b, id, second!.id, second!.version, { department: 'Sales' });
    expect(refused.status).toBe(409);
    expect(await json<{ code: string }>(refused)).toMatchObject({ code: 'acquisition.locked' });
    const state = await json<{ state: string }>(await call(b, `/acquisitions/${id}`));
    expect(state.state).toBe('cancelled');
  });

  it('SIGKILL B during a bulk write: on A it happened fully or not at all', async () => {
    const id = await open(a, 1500);
    const users = await usersOf(a, id);
    expect(users.length).toBe(1500);
    const before = await json<{ requiredFields: number; satisfiedFields: number }>(
      await call(a, `/acquisitions/${id}`),
    );
    const bulk = call(b, `/acquisitions/${id}/records/bulk`, {
      method: 'POST',
      body: JSON.stringify({
        records: users.map((u) => ({ id: u.id, values: { department: 'Killed' } })),
      }),
    }).then(
      (r) => r.status,
      () => 'no answer' as const,
    );
    // B's transaction has written (it holds a transaction id): kill it now, before it commits.
    let seenWriting = false;
    await waitFor(async () => {
      const rows = await query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity where application_name = 'intake-b' and backend_xid is not null`,
      );
      seenWriting = (rows[0]?.n ?? 0) > 0;
      return seenWriting || (await Promise.race([bulk, Promise.resolve('pending')])) !== 'pending';
    }, 30_000);
    await b.kill('SIGKILL');
    const answer = await bulk;
    const written = await query<{ n: number }>(
      `select count(*)::int as n from records where acquisition_id = '${id}' and "values" like '%Killed%'`,
    );
    const n = written[0]?.n ?? -1;
    expect([0, users.length]).toContain(n);
    // When B answered 200 before the kill, every record was written; when it did not, none was
    // (the kill landed while its transaction was open).
    if (answer === 200) expect(n).toBe(users.length);
    if (seenWriting && answer === 'no answer') expect(n).toBe(0);
    const history = await query<{ n: number }>(
      `select count(*)::int as n from record_history where acquisition_id = '${id}' and new_value like '%Killed%'`,
    );
    expect(history[0]?.n).toBe(n);
    // A goes on serving the acquisition, and can write the same records at once (no lock left).
    const after = await json<{ requiredFields: number; satisfiedFields: number }>(
      await call(a, `/acquisitions/${id}`),
    );
    if (n === 0) expect(after).toMatchObject(before);
    const fresh = await usersOf(a, id);
    expect(
      (await patch(a, id, fresh[0]!.id, fresh[0]!.version, { department: 'After' })).status,
    ).toBe(200);
  });
});
