import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoProposal } from '../demo/seed-demo.js';
import { dialects } from '../test/database.js';
import { answerInterview } from '../test/answer-interview.js';
import { DemoAnswers, type AskedQuestion } from '../test/fill-values.js';
import { createTestServer, type TestServer } from '../test/server.js';

interface Questions {
  total: number;
  questions: (AskedQuestion & {
    recordVersion: number;
    owner: string;
    question: string;
    reason: string;
    siteName: string | null;
  })[];
}
interface PlanBody {
  completeness: number;
  owners: { owner: string; completeness: number; missingFields: number }[];
}

describe.each(dialects)('interview, customer links and the lifecycle on %s', (dialect) => {
  let server: TestServer;
  let id: string;
  let linkToken: string;
  const url = (path = '') => `/api/v1/acquisitions/${id}${path}`;

  beforeAll(async () => {
    server = await createTestServer(dialect);
    const created = await server.app.inject({
      method: 'POST',
      url: '/api/v1/acquisitions',
      headers: server.auth('sales'),
      payload: demoProposal() as object,
    });
    id = created.json<{ id: string }>().id;
  });
  afterAll(() => server.close());

  const get = async <T>(path: string, headers: Record<string, string>) =>
    (await server.app.inject({ method: 'GET', url: url(path), headers })).json<T>();
  const plan = () => get<PlanBody>('/plan', server.auth('viewer'));

  it('asks the missing required fields, by site, entity and owner, with question and help', async () => {
    const page = await get<Questions>('/interview?limit=5', server.auth('sales'));
    expect(page.total).toBeGreaterThan(500);
    expect(page.questions[0]).toMatchObject({
      siteName: 'Leeds HQ',
      entity: 'site',
      reason: 'missing',
    });
    expect(page.questions.every((q) => q.question.endsWith('?'))).toBe(true);
    const customer = await get<Questions>(
      '/interview?owner=customer&limit=500',
      server.auth('sales'),
    );
    expect(customer.questions.every((q) => q.owner === 'customer')).toBe(true);
    const sites = customer.questions.map((q) => q.site);
    const firstNull = sites.indexOf(null);
    expect(firstNull === -1 || sites.slice(firstNull).every((s) => s === null)).toBe(true);
  });

  it('records an answer with source interview and a note, and raises completeness', async () => {
    const before = await plan();
    const [q] = (await get<Questions>('/interview?limit=1', server.auth('sales'))).questions;
    const answer = await server.app.inject({
      method: 'POST',
      url: url('/interview/answers'),
      headers: server.auth('sales'),
      payload: {
        recordId: q!.recordId,
        field: q!.field,
        value: 'Europe/London',
        note: 'Confirmed by phone with Priya',
      },
    });
    expect(answer.statusCode).toBe(200);
    const history = await get<{ items: { field: string; source: string; note?: string }[] }>(
      `/records/${q!.recordId}/history`,
      server.auth('sales'),
    );
    expect(history.items.at(-1)).toMatchObject({
      field: q!.field,
      source: 'interview',
      note: 'Confirmed by phone with Priya',
    });
    expect((await plan()).completeness).toBeGreaterThan(before.completeness);
  });

  it('marks a question to follow up, lists it, and leaves it out of the script until answered', async () => {
    const [q] = (await get<Questions>('/interview?limit=1', server.auth('sales'))).questions;
    const marked = await server.app.inject({
      method: 'POST',
      url: url('/interview/answers'),
      headers: server.auth('sales'),
      payload: {
        recordId: q!.recordId,
        field: q!.field,
        followUp: { dueDate: '2026-12-04', contact: 'Tomasz (network engineer)' },
        note: 'Needs the landlord',
      },
    });
    expect(marked.statusCode).toBe(201);
    const followUps = await get<{
      items: { recordId: string; field: string; dueDate: string; contact: string }[];
    }>('/follow-ups', server.auth('viewer'));
    expect(followUps.items).toEqual([
      expect.objectContaining({
        recordId: q!.recordId,
        field: q!.field,
        dueDate: '2026-12-04',
        contact: 'Tomasz (network engineer)',
      }),
    ]);
    const next = (await get<Questions>('/interview?limit=1', server.auth('sales'))).questions[0]!;
    expect(`${next.recordId}/${next.field}`).not.toBe(`${q!.recordId}/${q!.field}`);
  });

  it('issues a customer link that reaches only the customer-owned fields of its acquisition', async () => {
    const issued = await server.app.inject({
      method: 'POST',
      url: url('/links'),
      headers: server.auth('sales'),
      payload: { contactName: 'Priya Example', contactEmail: 'priya.example@harbourvale.example' },
    });
    expect(issued.statusCode).toBe(201);
    const link = issued.json<{ token: string; url: string; expiresAt: string }>();
    linkToken = link.token;
    expect(link.token).toMatch(/^ilk_/);
    expect(new Date(link.expiresAt).getTime() - Date.now()).toBeGreaterThan(
      13.9 * 24 * 3600 * 1000,
    );
    const stored = await server.database.db.selectFrom('access_links').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(link.token);

    const auth = { authorization: `Bearer ${link.token}` };
    const questions = await get<Questions>('/interview?limit=500', auth);
    expect(questions.questions.every((q) => q.owner === 'customer')).toBe(true);
    const records = await get<{
      items: { id: string; entity: string; values: Record<string, unknown>; version: number }[];
    }>('/records?entity=handset&limit=1', auth);
    expect(Object.keys(records.items[0]!.values)).not.toContain('model'); // sales provides the model
    const handset = records.items[0]!;
    const mine = await server.app.inject({
      method: 'PATCH',
      url: url(`/records/${handset.id}`),
      headers: { ...auth, 'if-match': `"${handset.version}"` },
      payload: { mac: '80:5E:C0:00:00:01' },
    });
    expect(mine.statusCode).toBe(200);
    const salesField = await server.app.inject({
      method: 'PATCH',
      url: url(`/records/${handset.id}`),
      headers: { ...auth, 'if-match': `"${handset.version + 1}"` },
      payload: { model: 'Poly VVX 450' },
    });
    expect(salesField.statusCode).toBe(403);
    expect(salesField.json()).toMatchObject({
      code: 'record.field-forbidden',
      errors: [{ pointer: '/model' }],
    });

    // Another acquisition does not exist for the link; staff routes are closed to it.
    const other = await server.app.inject({
      method: 'POST',
      url: '/api/v1/acquisitions',
      headers: server.auth('sales'),
      payload: { ...(demoProposal() as object), reference: 'OTHER-1' },
    });
    const otherId = other.json<{ id: string }>().id;
    for (const path of [
      `/api/v1/acquisitions/${otherId}/records`,
      `/api/v1/acquisitions/${otherId}/interview`,
    ]) {
      expect(
        (await server.app.inject({ method: 'GET', url: path, headers: auth })).statusCode,
      ).toBe(404);
    }
    for (const path of [
      '/api/v1/acquisitions',
      url(),
      url('/plan'),
      url('/findings'),
      url('/links'),
      '/api/v1/catalog',
    ]) {
      const response = await server.app.inject({ method: 'GET', url: path, headers: auth });
      expect(response.statusCode, path).toBe(403);
    }
    expect(
      (await server.app.inject({ method: 'POST', url: url('/submit'), headers: auth })).statusCode,
    ).toBe(403);
  });

  it('refuses submission while anything blocks it, naming each problem', async () => {
    const refused = await server.app.inject({
      method: 'POST',
      url: url('/submit'),
      headers: server.auth('sales'),
    });
    expect(refused.statusCode).toBe(409);
    const problem = refused.json<{
      code: string;
      errors: { pointer: string; detail: string; code: string }[];
    }>();
    expect(problem.code).toBe('acquisition.transition-refused');
    expect(problem.errors).toContainEqual(
      expect.objectContaining({
        pointer: `/groups/${encodeURIComponent('missing|required|handset|mac|leeds-hq')}`,
        code: 'required',
        detail: expect.stringMatching(
          /^Handset · MAC address is missing on \d+ records at Leeds HQ \(the customer provides it\): Handset \d+, Handset \d+, /,
        ) as string,
      }),
    );
    const approve = await server.app.inject({
      method: 'POST',
      url: url('/approve'),
      headers: server.auth('engineer'),
      payload: { customerConfirmation: 'x' },
    });
    expect(approve.json()).toMatchObject({
      code: 'acquisition.transition-refused',
      detail: expect.stringContaining('cannot approve an acquisition that is collecting') as string,
    });
  });

  it('reaches completeness 1 for the customer through the link alone, then submits once nothing blocks', async () => {
    const answers = new DemoAnswers(['leeds-hq', 'manchester-depot', 'hull-port']);
    const fill = (auth: Record<string, string>, owner?: string) =>
      answerInterview(server, id, auth, answers, owner ? { owner } : {});
    // The follow-up from earlier is answered by the customer too.
    const followUps = await get<{ items: { recordId: string; field: string }[] }>(
      '/follow-ups',
      server.auth('viewer'),
    );
    for (const f of followUps.items) {
      const record = await get<{ entity: string; site: string | null }>(
        `/records/${f.recordId}`,
        server.auth('sales'),
      );
      await server.app.inject({
        method: 'POST',
        url: url('/interview/answers'),
        headers: server.auth('sales'),
        payload: {
          recordId: f.recordId,
          field: f.field,
          value: answers.value({
            recordId: f.recordId,
            entity: record.entity,
            site: record.site,
            field: f.field,
            type: 'string',
          }),
        },
      });
    }
    await fill({ authorization: `Bearer ${linkToken}` });
    const customer = (await plan()).owners.find((o) => o.owner === 'customer')!;
    expect(customer).toMatchObject({ completeness: 1, missingFields: 0 });

    await fill(server.auth('sales'));
    const blocking = await get<{ total: number; items: { message: string }[] }>(
      '/findings?severity=blocking',
      server.auth('viewer'),
    );
    expect(blocking.items.map((f) => f.message)).toEqual([]);
    expect((await plan()).completeness).toBe(1);
    const submitted = await server.app.inject({
      method: 'POST',
      url: url('/submit'),
      headers: server.auth('sales'),
    });
    expect(submitted.statusCode, submitted.body.slice(0, 800)).toBe(200);
    expect(submitted.json()).toMatchObject({
      state: 'in_review',
      submittedAt: expect.any(String) as string,
    });

    // Records are locked in review.
    const [q] = (
      await get<{ items: { id: string; version: number }[] }>(
        '/records?entity=handset&limit=1',
        server.auth('sales'),
      )
    ).items;
    const locked = await server.app.inject({
      method: 'PATCH',
      url: url(`/records/${q!.id}`),
      headers: { ...server.auth('sales'), 'if-match': `"${q!.version}"` },
      payload: { mac: '80:5E:C0:FF:FF:FF' },
    });
    expect(locked.json()).toMatchObject({ status: 409, code: 'acquisition.locked' });
  });

  it('approves with the approver and the customer confirmation, reopens and cancels', async () => {
    const noConfirmation = await server.app.inject({
      method: 'POST',
      url: url('/approve'),
      headers: server.auth('engineer'),
      payload: {},
    });
    expect(noConfirmation.json()).toMatchObject({
      code: 'acquisition.transition-refused',
      errors: [{ pointer: '/customerConfirmation' }],
    });
    expect(
      (
        await server.app.inject({
          method: 'POST',
          url: url('/approve'),
          headers: server.auth('sales'),
          payload: { customerConfirmation: 'x' },
        })
      ).statusCode,
    ).toBe(403);
    const approved = await server.app.inject({
      method: 'POST',
      url: url('/approve'),
      headers: server.auth('engineer'),
      payload: { customerConfirmation: 'Priya Example confirmed by email on 2026-11-27' },
    });
    expect(approved.json()).toMatchObject({
      state: 'approved',
      approvedBy: 'engineer-test',
      customerConfirmation: 'Priya Example confirmed by email on 2026-11-27',
      approvedAt: expect.any(String) as string,
    });
    const reopened = await server.app.inject({
      method: 'POST',
      url: url('/reopen'),
      headers: server.auth('sales'),
      payload: { reason: 'Customer added a site contact' },
    });
    expect(reopened.json()).toMatchObject({ state: 'collecting', approvedBy: null });
    const cancelled = await server.app.inject({
      method: 'POST',
      url: url('/cancel'),
      headers: server.auth('sales'),
    });
    expect(cancelled.json()).toMatchObject({ state: 'cancelled' });
    const again = await server.app.inject({
      method: 'POST',
      url: url('/reopen'),
      headers: server.auth('sales'),
    });
    expect(again.statusCode).toBe(409);
    const events = await server.database.db
      .selectFrom('outbox_events')
      .select(['event_type', 'payload'])
      .where('aggregate_id', '=', id)
      .orderBy('sequence')
      .execute();
    expect(
      events.map((e) => (JSON.parse(e.payload) as { to?: string }).to).filter(Boolean),
    ).toEqual(['in_review', 'approved', 'collecting', 'cancelled']);
  });
});
