import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../test/database.js';
import { buildQuote } from '../test/factories.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, type TestServer } from '../test/server.js';
import { DataVersionCache } from '../acquisitions/data-version-cache.js';
import type { WorkList } from './work-list.js';
import type { AcquisitionWork } from './work-list-service.js';

const list = (n: number) =>
  ({ groups: [], owners: [], totals: { missing: n } }) as unknown as WorkList;

describe('the data version cache', () => {
  it('works a list out once per key, shares it while it is being worked out, and again when the key moves', async () => {
    const cache = new DataVersionCache<WorkList>();
    let runs = 0;
    const workOut = (n: number) => async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 5));
      return list(n);
    };
    const [a, b] = await Promise.all([
      cache.get('acq', 'v1', workOut(1)),
      cache.get('acq', 'v1', workOut(2)),
    ]);
    expect(a).toBe(b);
    expect(runs).toBe(1);
    expect((await cache.get('acq', 'v2', workOut(3))).totals.missing).toBe(3);
    expect(runs).toBe(2);
    // An older key is never served once a newer one was asked for.
    expect((await cache.get('acq', 'v1', workOut(4))).totals.missing).toBe(4);
  });

  it('forgets a failed working-out, and keeps at most its number of acquisitions', async () => {
    const cache = new DataVersionCache<WorkList>(2);
    await expect(
      cache.get('acq', 'v1', () => Promise.reject(new Error('database gone'))),
    ).rejects.toThrow('database gone');
    expect((await cache.get('acq', 'v1', () => Promise.resolve(list(1)))).totals.missing).toBe(1);
    await cache.get('b', 'v1', () => Promise.resolve(list(2)));
    await cache.get('acq', 'v1', () => Promise.resolve(list(9))); // used last: kept
    await cache.get('c', 'v1', () => Promise.resolve(list(3))); // pushes out b
    expect((await cache.get('acq', 'v1', () => Promise.resolve(list(0)))).totals.missing).toBe(1);
    expect((await cache.get('b', 'v1', () => Promise.resolve(list(7)))).totals.missing).toBe(7);
  });
});

describe.each(dialects)(
  'the work list and the plan stay true on %s, across nodes and days',
  (dialect) => {
    let server: TestServer;
    let other: FastifyInstance;
    let id: string;
    let clock = new Date('2026-12-01T09:00:00Z');
    const url = (path = '') => `/api/v1/acquisitions/${id}${path}`;
    const work = async () => {
      const response = await server.app.inject({
        method: 'GET',
        url: url('/work'),
        headers: server.auth('sales'),
      });
      expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
      return response.json<AcquisitionWork>();
    };
    const onOther = async (
      method: 'POST' | 'PATCH',
      path: string,
      payload: object,
      headers = {},
    ) => {
      const response = await other.inject({
        method,
        url: url(path),
        headers: { ...server.auth('sales'), ...headers },
        payload,
      });
      expect(response.statusCode, response.body.slice(0, 300)).toBeLessThan(300);
      return response;
    };

    beforeAll(async () => {
      server = await createTestServer(dialect, () => clock);
      other = await server.anotherNode();
      id = await openAcquisition(server, buildQuote());
    });
    afterAll(async () => {
      await other.close();
      await server.close();
    });

    const plan = async () => {
      const response = await server.app.inject({
        method: 'GET',
        url: url('/plan'),
        headers: server.auth('viewer'),
      });
      expect(response.statusCode).toBe(200);
      return response.json<{ completeness: number }>();
    };

    it('shows a follow-up, an edit and an answer made on another node in the next read, and a follow-up falling overdue at midnight', async () => {
      const before = await work();
      const planBefore = await plan();
      const missingName = before.groups.find(
        (g) => g.kind === 'missing' && g.field === 'lastName',
      )!;
      const record = missingName.sample[0]!;
      expect(before.totals.followUps).toBe(0);

      await onOther('POST', '/interview/answers', {
        recordId: record.id,
        field: 'lastName',
        followUp: { dueDate: '2026-12-02', contact: 'Priya (office manager)' },
      });
      const marked = await work();
      expect(marked.totals).toMatchObject({ followUps: 1, overdueFollowUps: 0 });

      clock = new Date('2026-12-03T00:00:01Z');
      expect((await work()).totals).toMatchObject({ followUps: 1, overdueFollowUps: 1 });

      await onOther('POST', '/interview/answers', {
        recordId: record.id,
        field: 'lastName',
        value: 'Haddad',
      });
      const answered = await work();
      expect(answered.totals).toMatchObject({ followUps: 0, overdueFollowUps: 0 });
      expect(answered.totals.missing).toBe(marked.totals.missing - 1);
      // The plan, kept under the same data version, moves with the answer too.
      const planAfter = await plan();
      expect(planAfter.completeness).toBeGreaterThan(planBefore.completeness);
      const group = answered.groups.find((g) => g.key === missingName.key)!;
      expect(group.count).toBe(missingName.count - 1);
      expect(group.sample.map((r) => r.id)).not.toContain(record.id);
    });
  },
);
