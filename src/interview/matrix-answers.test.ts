import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../test/database.js';
import { buildItem, buildProposal } from '../test/factories.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, type TestServer } from '../test/server.js';
import type { MatrixStep, ScriptStep } from './call-script.js';
import type { InterviewCall } from './calls.js';

interface Script {
  total: number;
  questions: number;
  steps: ScriptStep[];
}
interface UserRecord {
  id: string;
  version: number;
  values: Record<string, unknown>;
}

describe.each(dialects)('matrix answers and interview calls on %s', (dialect) => {
  let server: TestServer;
  let id: string;
  let call: InterviewCall;
  const url = (path = '') => `/api/v1/acquisitions/${id}${path}`;
  const get = async <T>(path: string) =>
    (
      await server.app.inject({ method: 'GET', url: url(path), headers: server.auth('sales') })
    ).json<T>();
  const send = (method: 'POST' | 'PATCH', path: string, payload: object) =>
    server.app.inject({ method, url: url(path), headers: server.auth('sales'), payload });
  const users = async () =>
    (await get<{ items: UserRecord[] }>('/records?entity=user&limit=100')).items;
  const matrixOf = async (field: string) =>
    (await get<Script>('/interview/script?limit=500')).steps.find(
      (s): s is MatrixStep => s.kind === 'matrix' && s.field === field,
    );

  beforeAll(async () => {
    server = await createTestServer(dialect);
    id = await openAcquisition(server, buildProposal({ items: [buildItem({ quantity: 50 })] }));
  });
  afterAll(() => server.close());

  it('starts a call with the customer contact, made by the staff member', async () => {
    const started = await send('POST', '/interview/calls', { contact: 'Priya Raman' });
    expect(started.statusCode).toBe(201);
    call = started.json<InterviewCall>();
    expect(call).toMatchObject({ contact: 'Priya Raman', staff: 'sales-test', endedAt: null });
  });

  it('asks voicemail once for the 50 users of the site, naming each', async () => {
    const matrix = await matrixOf('voicemail');
    expect(matrix).toMatchObject({
      title: 'York Office · Users',
      question: 'Voicemail for these 50 users at York Office',
      type: 'boolean',
    });
    expect(matrix!.records).toHaveLength(50);
    expect(matrix!.records[0]!.recordName).toBe('User 1');
    expect(JSON.stringify(matrix)).not.toContain('"recordName":"user');
  });

  it('writes 50 records in one request with two exceptions, the call in every history', async () => {
    const matrix = (await matrixOf('voicemail'))!;
    const exceptions = new Set([matrix.records[3]!.recordId, matrix.records[17]!.recordId]);
    const answered = await send('POST', '/interview/matrix-answers', {
      field: 'voicemail',
      value: true,
      records: matrix.records.map((r) => ({
        recordId: r.recordId,
        version: r.recordVersion,
        ...(exceptions.has(r.recordId) ? { value: false } : {}),
      })),
      callId: call.id,
      note: 'Everyone but reception and the warehouse',
    });
    expect(answered.statusCode, answered.body.slice(0, 500)).toBe(200);
    expect(answered.json<{ records: unknown[] }>().records).toHaveLength(50);

    const all = await users();
    expect(all.filter((u) => u.values.voicemail === true)).toHaveLength(48);
    expect(
      all
        .filter((u) => u.values.voicemail === false)
        .map((u) => u.id)
        .sort(),
    ).toEqual([...exceptions].sort());
    for (const recordId of [matrix.records[0]!.recordId, ...exceptions]) {
      const history = await get<{ items: Record<string, unknown>[] }>(
        `/records/${recordId}/history`,
      );
      expect(history.items.at(-1)).toMatchObject({
        field: 'voicemail',
        source: 'interview',
        sourceDetail: `call ${call.id} with Priya Raman`,
        actor: 'sales-test',
        note: 'Everyone but reception and the warehouse',
      });
    }
    expect(await matrixOf('voicemail')).toBeUndefined();
    // Voicemail to email is now owed by the 48, one by one (each their own address).
    const script = await get<Script>('/interview/script?limit=500');
    expect(
      script.steps.filter((s) => s.kind === 'single' && s.question.field === 'voicemailEmail'),
    ).toHaveLength(48);
  });

  it('keeps an invalid exception as a draft with its finding', async () => {
    const all = await users();
    const odd = all[5]!.id;
    const answered = await send('POST', '/interview/matrix-answers', {
      field: 'language',
      value: 'en-GB',
      records: all.map((u) => ({ recordId: u.id, ...(u.id === odd ? { value: 'klingon' } : {}) })),
    });
    expect(answered.statusCode, answered.body.slice(0, 500)).toBe(200);
    const findings = answered.json<{ findings: { recordId: string; field: string }[] }>().findings;
    expect(findings.filter((f) => f.field === 'language').map((f) => f.recordId)).toEqual([odd]);
  });

  it('refuses the whole answer when one version is stale, and a record listed twice', async () => {
    const all = await users();
    const stale = await send('POST', '/interview/matrix-answers', {
      field: 'department',
      value: 'Sales',
      records: all.map((u, i) => ({
        recordId: u.id,
        version: i === 7 ? u.version - 1 : u.version,
      })),
    });
    expect(stale.statusCode).toBe(412);
    expect(stale.json()).toMatchObject({ code: 'record.version-conflict' });
    expect((await users()).some((u) => u.values.department !== undefined)).toBe(false);

    const twice = await send('POST', '/interview/matrix-answers', {
      field: 'department',
      value: 'Sales',
      records: [{ recordId: all[0]!.id }, { recordId: all[0]!.id }],
    });
    expect(twice.statusCode).toBe(400);
    expect(twice.json()).toMatchObject({
      code: 'request.invalid',
      errors: [{ pointer: '/records/1/recordId' }],
    });
  });

  it('keeps notes on the call, lists it, and refuses answers once it has ended', async () => {
    const saved = await send('PATCH', `/interview/calls/${call.id}`, {
      notes: 'Reception has no voicemail.',
    });
    expect(saved.json()).toMatchObject({ notes: 'Reception has no voicemail.', endedAt: null });
    const ended = await send('PATCH', `/interview/calls/${call.id}`, { end: true });
    expect(ended.json<InterviewCall>().endedAt).toEqual(expect.any(String));
    const list = await get<{ items: InterviewCall[] }>('/interview/calls');
    expect(list.items).toEqual([
      expect.objectContaining({
        id: call.id,
        contact: 'Priya Raman',
        notes: 'Reception has no voicemail.',
      }),
    ]);
    const [user] = await users();
    const late = await send('POST', '/interview/answers', {
      recordId: user!.id,
      field: 'department',
      value: 'Sales',
      callId: call.id,
    });
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ code: 'call.ended' });
    const unknown = await send('POST', '/interview/answers', {
      recordId: user!.id,
      field: 'department',
      value: 'Sales',
      callId: 'no-such-call',
    });
    expect(unknown.json()).toMatchObject({ status: 404, code: 'call.not-found' });
  });
});
