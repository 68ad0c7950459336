import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dialects } from '../../src/test/database.js';
import { buildItem, buildProposal } from '../../src/test/factories.js';
import { waitFor } from '../../src/test/listener.js';
import { ownDatabase } from '../../src/test/own-database.js';
import {
  newAdminToken,
  startServerProcess,
  type ServerProcess,
} from '../../src/test/server-process.js';

/** How long the process may take to exit once nothing holds it (a bound, not a measurement). */
const EXIT_BOUND_MS = 15_000;

describe.each(dialects)('stopping a server with SIGTERM on %s', (dialect) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const token = newAdminToken();
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

  const start = async (env: Record<string, string> = {}) => {
    const folder = await mkdtemp(join(tmpdir(), 'intake-sigterm-'));
    cleanups.push(() => rm(folder, { recursive: true, force: true }));
    const own = await ownDatabase(dialect, folder);
    cleanups.push(own.drop);
    const server = await startServerProcess({
      DATABASE_URL: own.url,
      INTAKE_ADMIN_TOKEN: token,
      INTAKE_DATA_DIR: join(folder, 'data'),
      ...env,
    });
    cleanups.push(() => server.kill('SIGKILL'));
    return server;
  };

  /** A user record of a new acquisition: its path and version. */
  const aRecord = async (server: ServerProcess) => {
    const opened = await fetch(`${server.base}/api/v1/acquisitions`, {
      method: 'POST',
      headers,
      body: JSON.stringify(buildProposal({ items: [buildItem({ quantity: 1 })] })),
    });
    const { id } = (await opened.json()) as { id: string };
    const page = await fetch(`${server.base}/api/v1/acquisitions/${id}/records?entity=user`, {
      headers,
    });
    const [user] = ((await page.json()) as { items: { id: string; version: number }[] }).items;
    return { path: `/api/v1/acquisitions/${id}/records/${user!.id}`, version: user!.version };
  };

  /**
   * A PATCH whose headers and first half of body are sent, and no more: the server has taken the
   * request (it answered 100 Continue) and waits for the rest. `finish` sends the rest.
   */
  const halfSentPatch = async (server: ServerProcess, path: string, version: number) => {
    const body = Buffer.from(JSON.stringify({ department: 'Sent during SIGTERM' }));
    const request: ClientRequest = httpRequest(`${server.base}${path}`, {
      method: 'PATCH',
      headers: {
        ...headers,
        'if-match': `"${version}"`,
        'content-length': String(body.length),
        expect: '100-continue',
      },
    });
    const response = new Promise<IncomingMessage | Error>((resolve) => {
      request.once('response', resolve);
      request.once('error', resolve);
    });
    await new Promise<void>((resolve) => request.once('continue', resolve));
    request.write(body.subarray(0, 10));
    return {
      finish: async () => {
        request.end(body.subarray(10));
        const answer = await response;
        if (answer instanceof Error) throw answer;
        const chunks: Buffer[] = [];
        for await (const chunk of answer) chunks.push(chunk as Buffer);
        return {
          status: answer.statusCode,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
        };
      },
      response,
    };
  };

  const refusesConnections = async (server: ServerProcess) => {
    try {
      await fetch(`${server.base}/healthz`, { signal: AbortSignal.timeout(2000) });
      return false;
    } catch (error) {
      return (error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';
    }
  };

  it('finishes the request in flight, refuses new connections, and exits 0', async () => {
    const server = await start();
    const record = await aRecord(server);
    const inFlight = await halfSentPatch(server, record.path, record.version);
    server.child.kill('SIGTERM');
    await waitFor(() => refusesConnections(server), 10_000);
    const answer = await inFlight.finish();
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      version: record.version + 1,
      values: { department: 'Sent during SIGTERM' },
    });
    let code: number | null | undefined;
    void server.exited.then((c) => (code = c));
    await waitFor(() => code !== undefined, EXIT_BOUND_MS);
    expect(code).toBe(0);
  });

  it('exits 1 after INTAKE_SHUTDOWN_TIMEOUT_MS when a request never finishes', async () => {
    const server = await start({ INTAKE_SHUTDOWN_TIMEOUT_MS: '1000' });
    const record = await aRecord(server);
    const stalled = await halfSentPatch(server, record.path, record.version);
    server.child.kill('SIGTERM');
    let code: number | null | undefined;
    void server.exited.then((c) => (code = c));
    await waitFor(() => code !== undefined, EXIT_BOUND_MS);
    expect(code).toBe(1);
    // The stalled client sees its connection closed, not an answer.
    expect(await stalled.response).toBeInstanceOf(Error);
  });
});
