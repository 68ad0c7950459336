import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../src/test/database.js';
import { buildItem, buildProposal } from '../../src/test/factories.js';
import { waitFor } from '../../src/test/listener.js';
import { ownDatabase } from '../../src/test/own-database.js';
import {
  newAdminToken,
  startServerProcess,
  type ServerProcess,
} from '../../src/test/server-process.js';

const TERMINATE = `select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`;

interface Outcome {
  status: number | 'timeout' | 'error';
  retryAfter: string | null;
  code?: string;
  version?: number;
}

/**
 * The server's database connections are terminated under load (as by a failover or an operator):
 * the server goes on without a restart, and what fails answers 503 with Retry-After, never a 500
 * and never a hang. Needs a PostgreSQL database of its own (pg_terminate_backend ends every
 * connection to it).
 */
describe.skipIf(!dialects.includes('postgres'))(
  'terminated database connections (needs PostgreSQL)',
  () => {
    const cleanups: (() => Promise<void>)[] = [];
    const token = newAdminToken();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    let server: ServerProcess;
    let admin: pg.Client;
    let acquisitionId: string;
    let users: { id: string; version: number }[];

    /** One request, bounded at 5 s: its status, or `timeout`. */
    const request = async (path: string, init: RequestInit = {}): Promise<Outcome> => {
      try {
        const response = await fetch(`${server.base}/api/v1${path}`, {
          ...init,
          headers: { ...headers, ...(init.headers as Record<string, string> | undefined) },
          signal: AbortSignal.timeout(5000),
        });
        const body = (await response.json()) as { code?: string; version?: number };
        return {
          status: response.status,
          retryAfter: response.headers.get('retry-after'),
          ...(body.code ? { code: body.code } : {}),
          ...(body.version === undefined ? {} : { version: body.version }),
        };
      } catch (error) {
        return {
          status: (error as Error).name === 'TimeoutError' ? 'timeout' : 'error',
          retryAfter: null,
        };
      }
    };
    const patch = (id: string, version: number, department: string) =>
      request(`/acquisitions/${acquisitionId}/records/${id}`, {
        method: 'PATCH',
        headers: { 'if-match': `"${version}"` },
        body: JSON.stringify({ department }),
      });
    /** The record's version, read again until a read answers (each read counted in `outcomes`). */
    const versionOf = async (id: string, outcomes: Outcome[] = []): Promise<number> => {
      for (;;) {
        const read = await request(`/acquisitions/${acquisitionId}/records/${id}`);
        outcomes.push(read);
        if (read.status === 200) return read.version!;
      }
    };

    beforeAll(async () => {
      const folder = await mkdtemp(join(tmpdir(), 'intake-terminate-'));
      cleanups.push(() => rm(folder, { recursive: true, force: true }));
      const own = await ownDatabase('postgres', folder);
      cleanups.push(own.drop);
      server = await startServerProcess({
        DATABASE_URL: own.url,
        INTAKE_ADMIN_TOKEN: token,
        INTAKE_DATA_DIR: join(folder, 'data'),
      });
      cleanups.push(() => server.kill('SIGKILL'));
      admin = new pg.Client({ connectionString: own.url });
      await admin.connect();
      cleanups.push(() => admin.end());
      const opened = await fetch(`${server.base}/api/v1/acquisitions`, {
        method: 'POST',
        headers,
        body: JSON.stringify(buildProposal({ items: [buildItem({ quantity: 8 })] })),
      });
      acquisitionId = ((await opened.json()) as { id: string }).id;
      const page = await fetch(
        `${server.base}/api/v1/acquisitions/${acquisitionId}/records?entity=user&limit=50`,
        { headers },
      );
      users = ((await page.json()) as { items: { id: string; version: number }[] }).items;
    }, 90_000);
    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });

    it('answers 503 with Retry-After to a write whose connection is terminated under it', async () => {
      const user = users[0]!;
      // Hold the acquisition's row so that the write waits on it, its statement in flight.
      await admin.query('begin');
      await admin.query('select id from acquisitions where id = $1 for update', [acquisitionId]);
      const write = patch(user.id, user.version, 'Terminated');
      await waitFor(async () => {
        const waiting = await admin.query(
          `select 1 from pg_locks where not granted and pid <> pg_backend_pid()`,
        );
        return waiting.rowCount! > 0;
      }, 10_000);
      await admin.query(TERMINATE);
      await admin.query('rollback');
      const outcome = await write;
      expect(outcome).toEqual({ status: 503, retryAfter: '2', code: 'database.unavailable' });
      // Nothing was written, and the next write goes through on a new connection.
      expect(await versionOf(user.id)).toBe(user.version);
      expect((await patch(user.id, user.version, 'After')).status).toBe(200);
      user.version++;
    });

    it('recovers without a restart when every connection is terminated under a request loop', async () => {
      const outcomes: Outcome[] = [];
      let stop = false;
      // Four editors, each on its own records, and a reader, until told to stop.
      const editor = async (mine: { id: string; version: number }) => {
        for (let i = 0; !stop; i++) {
          const outcome = await patch(mine.id, mine.version, `Loop ${i}`);
          outcomes.push(outcome);
          if (outcome.status === 200) mine.version++;
          // A 503 may come after the commit: the version tells.
          else mine.version = await versionOf(mine.id, outcomes);
        }
      };
      const reader = async () => {
        while (!stop)
          outcomes.push(await request(`/acquisitions/${acquisitionId}/records?limit=20`));
      };
      const loops = [...users.slice(1, 5).map((u) => editor(u)), reader()];
      for (let round = 0; round < 5; round++) {
        const before = outcomes.length;
        await waitFor(() => outcomes.length >= before + 20, 20_000);
        await admin.query(TERMINATE);
      }
      const afterLast = outcomes.length;
      await waitFor(() => outcomes.length >= afterLast + 40, 20_000);
      stop = true;
      await Promise.all(loops);

      const statuses = new Set(outcomes.map((o) => o.status));
      expect([...statuses].filter((s) => s !== 200 && s !== 503)).toEqual([]);
      for (const failed of outcomes.filter((o) => o.status === 503))
        expect(failed).toMatchObject({ retryAfter: '2', code: 'database.unavailable' });
      // After the last termination the server answers again, in the same process.
      expect(outcomes.slice(-10).every((o) => o.status === 200)).toBe(true);
      expect(server.child.exitCode).toBeNull();
      expect(server.child.signalCode).toBeNull();
    });
  },
);
