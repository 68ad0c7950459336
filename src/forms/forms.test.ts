import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../test/database.js';
import { buildProposal } from '../test/factories.js';
import { answerInterview } from '../test/answer-interview.js';
import { DemoAnswers } from '../test/fill-values.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, type TestServer } from '../test/server.js';

interface FormBody {
  scope: string;
  entities: {
    id: string;
    expected: number;
    present: number;
    fields: { id: string; owner: string }[];
  }[];
  groups: { key: string; entity: string; items: { characteristics: Record<string, unknown> }[] }[];
  sites: { id: string; country: string | null }[];
  progress: { requiredFields: number; satisfiedFields: number; completeness: number };
  contactName?: string;
  submittedAt?: string | null;
}

describe.each(dialects)("forms, sessions and the customer's part on %s", (dialect) => {
  let server: TestServer;
  let id: string;
  let link: string;
  const url = (path = '') => `/api/v1/acquisitions/${id}${path}`;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    server = await createTestServer(dialect);
    id = await openAcquisition(server, buildProposal());
    const issued = await server.app.inject({
      method: 'POST',
      url: url('/links'),
      headers: server.auth('sales'),
      payload: { contactName: 'Sam Example' },
    });
    link = issued.json<{ token: string }>().token;
  });
  afterAll(() => server.close());

  it('tells a token who it is, and a link which acquisition it may reach', async () => {
    const staff = await server.app.inject({
      method: 'GET',
      url: '/api/v1/session',
      headers: server.auth('engineer'),
    });
    expect(staff.json()).toEqual({ name: 'engineer-test', role: 'engineer' });
    const customer = await server.app.inject({
      method: 'GET',
      url: '/api/v1/session',
      headers: bearer(link),
    });
    expect(customer.json()).toMatchObject({ role: 'viewer', link: { acquisitionId: id } });
    expect((await server.app.inject({ method: 'GET', url: '/api/v1/session' })).statusCode).toBe(
      401,
    );
  });

  it("gives staff every field and a link only the customer's, with expected and present records", async () => {
    const staff = (
      await server.app.inject({ method: 'GET', url: url('/forms'), headers: server.auth('viewer') })
    ).json<FormBody>();
    expect(staff.scope).toBe('staff');
    const site = staff.entities.find((e) => e.id === 'site')!;
    expect(site).toMatchObject({ expected: 1, present: 1 });
    expect(site.fields.some((f) => f.owner === 'sales')).toBe(true);
    expect(staff.entities.find((e) => e.id === 'user')).toMatchObject({ expected: 5, present: 5 });
    expect(staff.groups.find((g) => g.entity === 'user')!.items[0]!.characteristics).toEqual({
      features: ['voicemail'],
    });
    expect(staff.sites).toEqual([{ id: 'york', name: 'York Office', country: 'GB' }]);
    const summary = (
      await server.app.inject({ method: 'GET', url: url(), headers: server.auth('viewer') })
    ).json<{ requiredFields: number }>();
    expect(staff.progress.requiredFields).toBe(summary.requiredFields);

    const customer = (
      await server.app.inject({ method: 'GET', url: url('/forms'), headers: bearer(link) })
    ).json<FormBody>();
    expect(customer.scope).toBe('customer');
    expect(customer.contactName).toBe('Sam Example');
    expect(customer.submittedAt).toBeNull();
    expect(customer.entities.length).toBeGreaterThan(0);
    expect(customer.entities.every((e) => e.fields.every((f) => f.owner === 'customer'))).toBe(
      true,
    );
    expect(customer.progress.requiredFields).toBeLessThan(staff.progress.requiredFields);
  });

  it("refuses the customer's part with every missing answer, then takes it once they are in", async () => {
    const staff = await server.app.inject({
      method: 'POST',
      url: url('/customer-part/submit'),
      headers: server.auth('sales'),
    });
    expect(staff.statusCode).toBe(403);
    expect(staff.json()).toMatchObject({ code: 'portal.link-only' });

    const early = await server.app.inject({
      method: 'POST',
      url: url('/customer-part/submit'),
      headers: bearer(link),
    });
    expect(early.statusCode).toBe(409);
    const refusal = early.json<{ code: string; errors: { pointer: string; detail: string }[] }>();
    expect(refusal.code).toBe('portal.part-incomplete');
    expect(refusal.errors.length).toBeGreaterThan(5);
    expect(refusal.errors.every((e) => /^\/records\/[^/]+\/values\/\w+$/.test(e.pointer))).toBe(
      true,
    );
    expect(refusal.errors.map((e) => e.detail)).toContain(
      'Site at York Office: "Time zone" is missing.',
    );

    const answers = new DemoAnswers(['york'], 7000);
    await answerInterview(server, id, bearer(link), answers);
    const done = await server.app.inject({
      method: 'POST',
      url: url('/customer-part/submit'),
      headers: bearer(link),
    });
    expect(done.statusCode, done.body.slice(0, 500)).toBe(200);
    expect(done.json()).toMatchObject({ contactName: 'Sam Example' });
    const links = (
      await server.app.inject({ method: 'GET', url: url('/links'), headers: server.auth('sales') })
    ).json<{ items: { submittedAt: string | null }[] }>();
    expect(links.items[0]!.submittedAt).toBe(done.json<{ submittedAt: string }>().submittedAt);
    const forms = (
      await server.app.inject({ method: 'GET', url: url('/forms'), headers: bearer(link) })
    ).json<FormBody>();
    expect(forms.progress.completeness).toBe(1);
    expect(forms.submittedAt).not.toBeNull();
  });

  it('lists acquisitions with their blocking findings and open follow-ups', async () => {
    const records = (
      await server.app.inject({
        method: 'GET',
        url: url('/records?entity=handset&limit=1'),
        headers: server.auth('sales'),
      })
    ).json<{ items: { id: string; version: number }[] }>().items;
    const handset = records[0]!;
    await server.app.inject({
      method: 'PATCH',
      url: url(`/records/${handset.id}`),
      headers: { ...server.auth('sales'), 'if-match': `"${handset.version}"` },
      payload: { mac: 'not a mac' },
    });
    await server.app.inject({
      method: 'POST',
      url: url('/interview/answers'),
      headers: server.auth('sales'),
      payload: {
        recordId: handset.id,
        field: 'lineKeys',
        followUp: { dueDate: '2026-12-04', contact: 'Sam Example' },
      },
    });
    const list = (
      await server.app.inject({
        method: 'GET',
        url: '/api/v1/acquisitions',
        headers: server.auth('viewer'),
      })
    ).json<{
      items: {
        id: string;
        blockingFindings: number;
        openFollowUps: number;
        nextFollowUp: string | null;
      }[];
    }>();
    expect(list.items.find((a) => a.id === id)).toMatchObject({
      blockingFindings: 1,
      openFollowUps: 1,
      nextFollowUp: '2026-12-04',
    });
  });
});
