import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../access/roles.js';
import { dialects } from '../test/database.js';
import { buildProposal } from '../test/factories.js';
import { startListener, startRedirector, waitFor } from '../test/listener.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, type TestServer } from '../test/server.js';
import { EMPTY_ALLOW_LIST } from './address-policy.js';
import type { HubApi } from './envelope.js';

const HUBS: [HubApi, string][] = [
  ['intake', '/api/v1/hub'],
  ['customerManagement', '/tmf-api/customerManagement/v4/hub'],
  ['party', '/tmf-api/party/v4/hub'],
];

describe.each(dialects)('hub callbacks on %s', (dialect) => {
  /** No allow list: only public addresses may be called back. */
  let strict: TestServer;
  /** Loopback allowed, as for the tests' listeners. */
  let loopback: TestServer;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    const delivery = { maxAttempts: 1, backoffBaseMs: 10 };
    strict = await createTestServer(
      dialect,
      undefined,
      {},
      { ...delivery, callbackAllow: EMPTY_ALLOW_LIST },
    );
    loopback = await createTestServer(dialect, undefined, {}, delivery);
  });
  afterEach(async () => {
    for (const server of [strict, loopback]) {
      await server.services.relay.stop();
      await server.database.db.deleteFrom('deliveries').execute();
      await server.database.db.deleteFrom('subscriptions').execute();
    }
    for (const close of closers.splice(0)) await close();
  });
  afterAll(async () => {
    await strict.close();
    await loopback.close();
  });

  const subscribe = (
    server: TestServer,
    callback: string,
    path = '/api/v1/hub',
    role: (typeof ROLES)[number] = 'admin',
  ) =>
    server.app.inject({
      method: 'POST',
      url: path,
      headers: server.auth(role),
      payload: { callback },
    });

  /** Deliveries once the relay has tried each of them (one attempt each). */
  const settled = async (server: TestServer, count: number) => {
    let deliveries: Awaited<ReturnType<typeof server.services.subscriptions.deliveries>> = [];
    await waitFor(async () => {
      deliveries = await server.services.subscriptions.deliveries({ limit: 1000 });
      return deliveries.length >= count && deliveries.every((d) => d.status !== 'pending');
    });
    return deliveries;
  };

  it('refuses callbacks to loopback, link-local and private addresses in any notation, on every hub (422)', async () => {
    for (const [, path] of HUBS) {
      for (const callback of [
        'http://127.0.0.1/',
        'http://0x7f000001/',
        'http://2130706433/',
        'http://017700000001/',
        'http://[::1]/',
        'http://[::ffff:127.0.0.1]/',
        'http://169.254.169.254/latest',
        'http://localhost/',
        'http://localhost./',
        'http://10.0.0.1/',
        'http://172.16.5.4:8080/x',
        'http://192.168.1.1/',
        'http://100.64.0.1/',
        'http://0.0.0.0/',
        'http://[fd00::1]/',
        'http://[fe80::1]/',
      ]) {
        const response = await subscribe(strict, callback, path);
        expect(response.statusCode, `${path} ${callback}`).toBe(422);
        expect(response.json(), callback).toMatchObject({ code: 'hub.callback-forbidden' });
      }
    }
    expect(await strict.services.subscriptions.active()).toEqual([]);
  });

  it('lets INTAKE_CALLBACK_ALLOW open loopback', async () => {
    const response = await subscribe(loopback, 'http://127.0.0.1:9/callback');
    expect(response.statusCode).toBe(201);
    expect((await subscribe(loopback, 'http://10.0.0.1/')).statusCode).toBe(422);
  });

  it('checks again at delivery, after resolving the host: nothing reaches a forbidden address', async () => {
    const listener = await startListener();
    closers.push(listener.close);
    // Subscriptions that would be refused today (made before the policy, or by a name since rebound).
    const port = new URL(listener.url).port;
    for (const callback of [
      listener.url,
      `http://localhost:${port}/callback`,
      `http://[::ffff:127.0.0.1]:${port}/callback`,
    ]) {
      await strict.services.subscriptions.insert({
        id: randomUUID(),
        api: 'intake',
        callback,
        query: 'eventType=acquisitionCreateEvent',
        secret: 'secret',
        createdBy: 'test',
        createdAt: new Date().toISOString(),
      });
    }
    await openAcquisition(strict, buildProposal());
    strict.services.relay.start();
    const deliveries = await settled(strict, 3);
    expect(deliveries.map((d) => [d.status, d.lastError])).toEqual(
      Array(3).fill(['dead', "delivery failed: the callback's address is not allowed"]),
    );
    expect(listener.received).toHaveLength(0);
  });

  it('follows no redirect: a listener answering 302 fails the delivery, and the second listener receives nothing', async () => {
    const second = await startListener();
    closers.push(second.close);
    const first = await startRedirector(second.url);
    closers.push(first.close);
    const created = await subscribe(loopback, first.url);
    expect(created.statusCode).toBe(201);
    await openAcquisition(loopback, buildProposal());
    loopback.services.relay.start();
    const deliveries = await settled(loopback, 1);
    expect(deliveries[0]).toMatchObject({ status: 'dead', lastError: 'delivery failed: HTTP 302' });
    expect(second.received).toHaveLength(0);
  });

  it('keeps delivery errors generic: no socket error, address or port', async () => {
    const gone = await startListener();
    const url = gone.url;
    await gone.close();
    expect((await subscribe(loopback, url)).statusCode).toBe(201);
    await openAcquisition(loopback, buildProposal());
    loopback.services.relay.start();
    const deliveries = await settled(loopback, 1);
    expect(deliveries[0]).toMatchObject({
      status: 'dead',
      lastError: 'delivery failed: could not connect',
    });
    const listed = await loopback.app.inject({
      method: 'GET',
      url: '/api/v1/deliveries?status=dead',
      headers: loopback.auth('admin'),
    });
    expect(listed.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|connect /);
  });

  it('lets only the roles that take the handover subscribe; others get 403', async () => {
    const link = await loopback.app.inject({
      method: 'POST',
      url: `/api/v1/acquisitions/${await openAcquisition(loopback, buildProposal())}/links`,
      headers: loopback.auth('sales'),
      payload: { contactName: 'Priya Example', contactEmail: 'priya.example@harbourvale.example' },
    });
    const linkToken = link.json<{ token: string }>().token;
    for (const [, path] of HUBS) {
      for (const role of ROLES) {
        const response = await subscribe(loopback, 'http://127.0.0.1:9/callback', path, role);
        const allowed = role === 'admin' || role === 'engineer';
        expect(response.statusCode, `${role} ${path}`).toBe(allowed ? 201 : 403);
        if (!allowed) expect(response.json()).toMatchObject({ code: 'auth.forbidden' });
        else {
          const id = response.json<{ id: string }>().id;
          const other = role === 'admin' ? 'engineer' : 'admin';
          for (const [who, status] of [
            ['sales', 403],
            ['viewer', 403],
            [other, 204],
          ] as const) {
            const removed = await loopback.app.inject({
              method: 'DELETE',
              url: `${path}/${id}`,
              headers: loopback.auth(who),
            });
            expect(removed.statusCode, `${who} DELETE ${path}`).toBe(status);
          }
        }
      }
      const byLink = await loopback.app.inject({
        method: 'POST',
        url: path,
        headers: { authorization: `Bearer ${linkToken}` },
        payload: { callback: 'http://127.0.0.1:9/callback' },
      });
      expect(byLink.statusCode).toBe(403);
    }
  });
});
