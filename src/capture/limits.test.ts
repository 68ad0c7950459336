import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../test/database.js';
import { buildItem, buildProposal } from '../test/factories.js';
import { issueLink, openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, type TestServer } from '../test/server.js';

interface Listed {
  total: number;
  items: { id: string; version: number; values: Record<string, unknown> }[];
}

describe.each(dialects)('bounded writes on %s', (dialect) => {
  let server: TestServer;
  let acquisitionId: string;
  let linkToken: string;
  const url = (path = '') => `/api/v1/acquisitions/${acquisitionId}${path}`;
  const sales = () => server.auth('sales');
  const link = () => ({ authorization: `Bearer ${linkToken}` });
  const list = async (entity: string): Promise<Listed> =>
    (
      await server.app.inject({
        method: 'GET',
        url: url(`/records?entity=${entity}&limit=100`),
        headers: sales(),
      })
    ).json<Listed>();
  const counts = async () => {
    const rows = await server.database.db
      .selectFrom('record_history')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('acquisition_id', '=', acquisitionId)
      .executeTakeFirstOrThrow();
    return { users: (await list('user')).total, history: Number(rows.n) };
  };

  beforeAll(async () => {
    server = await createTestServer(dialect);
    // 5 seats: 5 users and 5 handsets at most, all created (empty) when the acquisition opens.
    acquisitionId = await openAcquisition(
      server,
      buildProposal({ items: [buildItem({ quantity: 5 })] }),
    );
    linkToken = await issueLink(server, acquisitionId);
  });
  afterAll(() => server.close());

  it('refuses a bulk call of 5,000 creates where the plan allows 5, storing nothing', async () => {
    const before = await counts();
    const response = await server.app.inject({
      method: 'POST',
      url: url('/records/bulk'),
      headers: sales(),
      payload: {
        records: Array.from({ length: 5000 }, (_, i) => ({
          entity: 'user',
          values: { firstName: `U${i}` },
        })),
      },
    });
    expect(response.statusCode).toBe(422);
    // 5 planned, and 10 more kept above the plan at most.
    expect(response.json()).toMatchObject({
      code: 'record.too-many',
      entity: 'user',
      planned: 5,
      maximum: 15,
      count: 5005,
    });
    expect(response.json<{ detail: string }>().detail).toContain(
      'The proposal allows 5 user records and Intake keeps at most 15',
    );
    expect(await counts()).toEqual(before);
  });

  it('keeps creates above the plan with a blocking finding, up to the ceiling, through a token and a link', async () => {
    const create = (headers: Record<string, string>, name: string) =>
      server.app.inject({
        method: 'POST',
        url: url('/records'),
        headers,
        payload: { entity: 'user', values: { firstName: name } },
      });
    expect((await create(sales(), 'Extra')).statusCode).toBe(201);
    expect((await create(link(), 'Extra too')).statusCode).toBe(201);
    const findings = await server.app.inject({
      method: 'GET',
      url: url('/findings?severity=blocking'),
      headers: sales(),
    });
    expect(findings.json<{ items: { rule: string; message: string }[] }>().items).toContainEqual(
      expect.objectContaining({
        rule: 'count.above',
        message: expect.stringContaining(
          'There are 7 user records but the proposal allows at most 5',
        ) as string,
      }),
    );
    for (let i = 0; i < 8; i++) expect((await create(sales(), `More ${i}`)).statusCode).toBe(201);
    for (const headers of [sales(), link()]) {
      const response = await create(headers, 'One too many');
      expect(response.statusCode).toBe(422);
      expect(response.json()).toMatchObject({ code: 'record.too-many', maximum: 15, count: 16 });
    }
    expect((await list('user')).total).toBe(15);
  });

  it('refuses records of an entity the plan does not need (maximum 0)', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: url('/records'),
      headers: sales(),
      payload: { entity: 'accessService', values: {} },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      code: 'record.too-many',
      entity: 'accessService',
      maximum: 0,
    });
  });

  it('admits a create again once a record is deleted', async () => {
    const [first] = (await list('user')).items;
    const removed = await server.app.inject({
      method: 'DELETE',
      url: url(`/records/${first!.id}`),
      headers: { ...sales(), 'if-match': `"${first!.version}"` },
    });
    expect(removed.statusCode).toBe(204);
    const created = await server.app.inject({
      method: 'POST',
      url: url('/records'),
      headers: sales(),
      payload: { entity: 'user', values: { firstName: 'Back' } },
    });
    expect(created.statusCode).toBe(201);
    expect((await list('user')).total).toBe(15);
  });

  it('refuses a 900 kB value in a 40-character field, keeping it out of the record and history', async () => {
    const [user] = (await list('user')).items;
    const before = await counts();
    // (The test server's body limit is 1 MiB; the default of 5 MiB lets a 4 MB value through to here.)
    const huge = 'x'.repeat(900_000);
    const response = await server.app.inject({
      method: 'PATCH',
      url: url(`/records/${user!.id}`),
      headers: { ...sales(), 'if-match': `"${user!.version}"` },
      payload: { firstName: huge },
    });
    expect(response.statusCode).toBe(422);
    const body = response.json<{ code: string; errors: { pointer: string; detail: string }[] }>();
    expect(body.code).toBe('record.value-too-long');
    expect(body.errors).toEqual([
      { pointer: '/firstName', detail: expect.stringContaining('at most 40') as string },
    ]);
    expect(response.body.length).toBeLessThan(2000);
    expect(await counts()).toEqual(before);
    const stored = (await list('user')).items.find((u) => u.id === user!.id);
    expect(stored!.values.firstName).toBe(user!.values.firstName);
  });

  it('caps a field the catalogue gives no maximum at 1,000 characters, on every channel', async () => {
    const [user] = (await list('user')).items;
    const long = `${'a'.repeat(995)}@x.example`;
    const bulk = await server.app.inject({
      method: 'POST',
      url: url('/records/bulk'),
      headers: link(),
      payload: { records: [{ id: user!.id, values: { email: long } }] },
    });
    expect(bulk.statusCode).toBe(422);
    expect(bulk.json()).toMatchObject({
      code: 'record.value-too-long',
      errors: [{ pointer: '/records/0/values/email' }],
    });
    const answer = await server.app.inject({
      method: 'POST',
      url: url('/interview/answers'),
      headers: sales(),
      payload: { recordId: user!.id, field: 'email', value: long },
    });
    expect(answer.statusCode).toBe(422);
    expect(answer.json()).toMatchObject({ code: 'record.value-too-long' });
    // White space that normalisation folds does not count against the limit.
    const spaced = await server.app.inject({
      method: 'POST',
      url: url('/records/bulk'),
      headers: sales(),
      payload: {
        records: [{ id: user!.id, values: { firstName: `  Ann${' '.repeat(60)}Lee  ` } }],
      },
    });
    expect(spaced.statusCode).toBe(200);
  });
});
