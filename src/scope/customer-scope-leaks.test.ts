import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoProposal } from '../demo/seed-demo.js';
import { dialects } from '../test/database.js';
import { listen, upload } from '../test/http-client.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, testCatalog, type TestServer } from '../test/server.js';
import { HIDDEN, scopeFindings } from './customer-scope.js';

/** Each leak the security review found through a customer link (issue 11, point 5), pinned. */
describe.each(dialects)('what a customer link could reach before, on %s', (dialect) => {
  let server: TestServer;
  let base: string;
  let id: string;
  let link: Record<string, string>;
  const url = (path: string) => `/api/v1/acquisitions/${id}${path}`;
  const staff = () => server.auth('engineer');
  const call = (
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string>,
    payload?: object,
  ) => server.app.inject({ method, url: url(path), headers, ...(payload ? { payload } : {}) });
  const handsets = async () =>
    (await call('GET', '/records?entity=handset&limit=2', staff())).json<{
      items: { id: string }[];
    }>().items;
  /** Uploads the caller's own CSV template of handsets back as an import. */
  const importTemplate = async (headers: Record<string, string>) => {
    const template = await call('GET', '/template?format=csv&entity=handset', headers);
    expect(template.statusCode).toBe(200);
    const response = await upload(
      `${base}${url('/imports')}`,
      { bytes: Buffer.from(template.body), name: 'handsets.csv' },
      headers,
      { entity: 'handset' },
    );
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json()) as { id: string };
  };

  beforeAll(async () => {
    server = await createTestServer(dialect);
    base = await listen(server);
    id = await openAcquisition(server, demoProposal() as object);
    const issued = await call('POST', '/links', server.auth('sales'), {
      contactName: 'Priya Nair',
      contactEmail: 'priya.nair@fenwick.example',
    });
    link = { authorization: `Bearer ${issued.json<{ token: string }>().token}` };
  });
  afterAll(() => server.close());

  it('sees only the imports it made: not staff imports, their events or their reports (with staff columns)', async () => {
    const staffImport = await importTemplate(staff());
    const mine = await importTemplate(link);
    const listed = await call('GET', '/imports', link);
    expect(listed.json<{ items: { id: string }[] }>().items.map((j) => j.id)).toEqual([mine.id]);
    for (const path of ['', '/events', '/report?format=csv', '/report?format=xlsx']) {
      const answer = await call('GET', `/imports/${staffImport.id}${path}`, link);
      expect([path, answer.statusCode]).toEqual([path, 404]);
    }
    const report = await call('GET', `/imports/${mine.id}/report?format=csv`, link);
    expect(report.statusCode).toBe(200);
    expect(report.body).not.toMatch(/model|shared line/i);
    // Staff still see both.
    const all = await call('GET', '/imports', staff());
    expect(
      all
        .json<{ items: { id: string }[] }>()
        .items.map((j) => j.id)
        .sort(),
    ).toEqual([staffImport.id, mine.id].sort());
  });

  it('reads no staff value inside a finding message', async () => {
    const [a, b] = await handsets();
    const written = await call('POST', '/records/bulk', staff(), {
      records: [
        { id: a!.id, values: { sharedLinePortId: 'SLP-4471' } },
        { id: b!.id, values: { sharedLinePortId: 'SLP-4471' } },
      ],
    });
    expect(written.statusCode).toBe(200);
    const asStaff = await call('GET', `/records/${a!.id}`, staff());
    expect(asStaff.body).toContain('SLP-4471');
    const asLink = await call('GET', `/records/${a!.id}`, link);
    expect(asLink.statusCode).toBe(200);
    expect(asLink.body).not.toContain('SLP-4471');
  });

  it("reads no staff value or staff finding in its own import's findings and report", async () => {
    // The shared line ports set by staff above clash: findings on a staff field of these rows.
    const mine = await importTemplate(link);
    const job = await call('GET', `/imports/${mine.id}`, link);
    expect(job.statusCode).toBe(200);
    expect(job.body).not.toContain('SLP-4471');
    expect(job.body).not.toContain('sharedLinePortId');
    const report = await call('GET', `/imports/${mine.id}/report?format=csv`, link);
    expect(report.statusCode).toBe(200);
    expect(report.body).not.toContain('SLP-4471');
  });

  it('cannot create records of an entity with no customer field', async () => {
    const created = await call('POST', '/records', link, { entity: 'numberBlock', values: {} });
    expect([created.statusCode, created.json<{ code: string }>().code]).toEqual([
      403,
      'record.entity-forbidden',
    ]);
  });

  it('follows up only existing customer fields: 403 on a staff field, 422 on an unknown one', async () => {
    const [a] = await handsets();
    const followUp = (field: string) =>
      call('POST', '/interview/answers', link, {
        recordId: a!.id,
        field,
        followUp: { dueDate: '2027-01-15', contact: 'Priya Nair' },
      });
    const staffField = await followUp('model');
    expect([staffField.statusCode, staffField.json<{ code: string }>().code]).toEqual([
      403,
      'record.field-forbidden',
    ]);
    const unknown = await followUp('flux');
    expect([unknown.statusCode, unknown.json<{ code: string }>().code]).toEqual([
      422,
      'follow-up.field-unknown',
    ]);
    expect((await followUp('mac')).statusCode).toBe(201);
  });

  it('writes nothing on a cancelled acquisition (a follow-up is a write)', async () => {
    const [a] = await handsets();
    expect((await call('POST', '/cancel', server.auth('sales'), {})).statusCode).toBe(200);
    const followUp = await call('POST', '/interview/answers', link, {
      recordId: a!.id,
      field: 'mac',
      followUp: { dueDate: '2027-01-15', contact: 'Priya Nair' },
    });
    expect([followUp.statusCode, followUp.json<{ code: string }>().code]).toEqual([
      409,
      'acquisition.locked',
    ]);
  });
});

describe('hiding staff values from finding messages', () => {
  it('hides every staff value of the record a customer-field finding quotes', async () => {
    const catalog = await testCatalog();
    const finding = {
      recordId: 'r1',
      entity: 'handset',
      field: 'mac',
      rule: 'unique',
      message: 'MAC 00:11:22:33:44:55 on a Yealink T54W is also used (port SLP-9)',
    };
    const values = { mac: '00:11:22:33:44:55', model: 'Yealink T54W', sharedLinePortId: 'SLP-9' };
    const link = { link: { acquisitionId: 'a' } };
    expect(scopeFindings(catalog, link, [finding], () => values)).toEqual([
      { ...finding, message: `MAC 00:11:22:33:44:55 on a ${HIDDEN} is also used (port ${HIDDEN})` },
    ]);
    // A finding on a staff field is not shown at all; staff see everything unchanged.
    const onStaff = { ...finding, field: 'model' };
    expect(scopeFindings(catalog, link, [onStaff], () => values)).toEqual([]);
    expect(scopeFindings(catalog, {}, [finding, onStaff], () => values)).toEqual([
      finding,
      onStaff,
    ]);
  });
});
