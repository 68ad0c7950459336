import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntitySpec } from '../catalog/model.js';
import { demoProposal } from '../demo/seed-demo.js';
import { dialects } from '../test/database.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, type TestServer } from '../test/server.js';

/**
 * The customer scope as a table generated from the catalogue: for every entity × field × channel,
 * what a customer link and a staff token may read and write, over HTTP. Each channel builds the
 * table it expects from the catalogue and the one it gets from the server, and compares them whole.
 */

interface Row {
  id: string;
  entity: string;
  values: Record<string, unknown>;
  findings: { field: string }[];
}

const isCustomerField = (entity: EntitySpec, field: string) =>
  entity.fields.some((f) => f.id === field && f.owner === 'customer');
const hasCustomerField = (entity: EntitySpec) => entity.fields.some((f) => f.owner === 'customer');

describe.each(dialects)('the customer scope, entity × field × channel, on %s', (dialect) => {
  let server: TestServer;
  let id: string;
  let link: Record<string, string>;
  let entities: EntitySpec[];
  /** One record per entity that has any in the demo acquisition. */
  const sample = new Map<string, string>();
  const url = (path: string) => `/api/v1/acquisitions/${id}${path}`;
  const staff = () => server.auth('engineer');
  const call = (
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    headers: Record<string, string>,
    payload?: object,
  ) => server.app.inject({ method, url: url(path), headers, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    server = await createTestServer(dialect);
    entities = [...server.catalog.entities.values()];
    id = await openAcquisition(server, demoProposal() as object);
    const issued = await call('POST', '/links', server.auth('sales'), {
      contactName: 'Priya Nair',
      contactEmail: 'priya.nair@fenwick.example',
    });
    link = { authorization: `Bearer ${issued.json<{ token: string }>().token}` };
    for (const e of entities) {
      const page = await call('GET', `/records?entity=${e.id}&limit=1`, staff());
      const first = page.json<{ items: Row[] }>().items[0];
      if (first) sample.set(e.id, first.id);
    }
  });
  afterAll(() => server.close());

  it('records, history and findings: a link reads only customer fields of customer entities', async () => {
    const expected: string[] = [];
    const actual: string[] = [];
    for (const e of entities) {
      const rid = sample.get(e.id);
      if (!rid) continue;
      const listed = await call('GET', `/records?entity=${e.id}&limit=500`, link);
      const asLink = await call('GET', `/records/${rid}`, link);
      const asStaff = await call('GET', `/records/${rid}`, staff());
      const history = await call('GET', `/records/${rid}/history`, link);
      expected.push(`${e.id} link ${hasCustomerField(e) ? 200 : 404} staff 200`);
      actual.push(`${e.id} link ${asLink.statusCode} staff ${asStaff.statusCode}`);
      const rows = [...listed.json<{ items: Row[] }>().items];
      if (asLink.statusCode === 200) rows.push(asLink.json<Row>());
      expect(rows.length > 0).toBe(hasCustomerField(e));
      for (const f of e.fields) {
        const customer = isCustomerField(e, f.id);
        const seen = rows.some((r) => f.id in r.values);
        const found = rows.some((r) => r.findings.some((x) => x.field === f.id));
        const inHistory = history.statusCode === 200 && history.body.includes(`"${f.id}"`);
        if (!customer) {
          expected.push(`${e.id}.${f.id} link values false findings false history false`);
          actual.push(`${e.id}.${f.id} link values ${seen} findings ${found} history ${inHistory}`);
        }
      }
    }
    expect(actual).toEqual(expected);
  });

  it('templates and forms: a link gets only the customer columns and fields', async () => {
    const expected: string[] = [];
    const actual: string[] = [];
    const formsOf = async (headers: Record<string, string>) =>
      new Map(
        (await call('GET', '/forms', headers))
          .json<{ entities: { id: string; fields: { id: string }[] }[] }>()
          .entities.map((x) => [x.id, new Set(x.fields.map((f) => f.id))]),
      );
    const [linkForms, staffForms] = [await formsOf(link), await formsOf(staff())];
    for (const e of entities) {
      const asLink = await call('GET', `/template?format=csv&entity=${e.id}`, link);
      const asStaff = await call('GET', `/template?format=csv&entity=${e.id}`, staff());
      const header = (body: string) =>
        (body.replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '').split(',');
      const linkColumns = asLink.statusCode === 200 ? header(asLink.body).length : 0;
      const customerCount = e.fields.filter((f) => f.owner === 'customer').length;
      // Staff get a template of every entity in the plan, a link of those with customer fields.
      const inPlan = asStaff.statusCode === 200;
      expected.push(`${e.id} template link ${inPlan && hasCustomerField(e) ? 200 : 422}`);
      actual.push(`${e.id} template link ${asLink.statusCode}`);
      if (asLink.statusCode === 200 && asStaff.statusCode === 200) {
        const staffColumns = header(asStaff.body).length;
        // Both carry the same extra columns (the Intake ID and such) besides the fields.
        expected.push(`${e.id} template columns ${customerCount - e.fields.length}`);
        actual.push(`${e.id} template columns ${linkColumns - staffColumns}`);
      }
      for (const f of e.fields) {
        const customer = isCustomerField(e, f.id);
        if (!staffForms.has(e.id)) continue;
        expected.push(`${e.id}.${f.id} form link ${customer} staff true`);
        actual.push(
          `${e.id}.${f.id} form link ${linkForms.get(e.id)?.has(f.id) ?? false} staff ${staffForms.get(e.id)?.has(f.id) ?? false}`,
        );
      }
    }
    expect(actual).toEqual(expected);
  });

  it('interview: a link is asked only customer fields', async () => {
    const asked = await call('GET', '/interview?limit=500', link);
    const questions = asked.json<{ questions: { entity: string; field: string }[] }>().questions;
    expect(questions.length).toBeGreaterThan(0);
    const staffFields = questions.filter(
      (q) => !isCustomerField(server.catalog.entities.get(q.entity)!, q.field),
    );
    expect(staffFields).toEqual([]);
  });

  it('follow-ups: a link on customer fields only (403 on staff, 422 on unknown); staff on any', async () => {
    const expected: string[] = [];
    const actual: string[] = [];
    const followUp = (headers: Record<string, string>, recordId: string, field: string) =>
      call('POST', '/interview/answers', headers, {
        recordId,
        field,
        followUp: { dueDate: '2027-01-15', contact: 'Priya Nair' },
      });
    for (const e of entities) {
      const rid = sample.get(e.id);
      if (!rid) continue;
      for (const f of e.fields) {
        const customer = hasCustomerField(e) ? (isCustomerField(e, f.id) ? 201 : 403) : 404;
        const [l, s] = [await followUp(link, rid, f.id), await followUp(staff(), rid, f.id)];
        expected.push(`${e.id}.${f.id} link ${customer} staff 201`);
        actual.push(`${e.id}.${f.id} link ${l.statusCode} staff ${s.statusCode}`);
      }
      const unknown = await followUp(link, rid, 'noSuchField');
      expected.push(`${e.id}.noSuchField link ${hasCustomerField(e) ? 422 : 404}`);
      actual.push(`${e.id}.noSuchField link ${unknown.statusCode}`);
    }
    expect(actual).toEqual(expected);
  });

  it('bulk and create: a link writes customer fields of customer entities; staff writes all', async () => {
    const expected: string[] = [];
    const actual: string[] = [];
    for (const e of entities) {
      const created = await call('POST', '/records', link, { entity: e.id, values: {} });
      const refusedByScope = created.statusCode === 403;
      expected.push(`${e.id} create by link refused ${!hasCustomerField(e)}`);
      actual.push(`${e.id} create by link refused ${refusedByScope}`);
      const rid = sample.get(e.id);
      if (!rid) continue;
      for (const f of e.fields) {
        if (isCustomerField(e, f.id)) continue;
        const refused = await call('POST', '/records/bulk', link, {
          records: [{ id: rid, values: { [f.id]: null } }],
        });
        expected.push(`${e.id}.${f.id} bulk by link ${hasCustomerField(e) ? 403 : 404}`);
        actual.push(`${e.id}.${f.id} bulk by link ${refused.statusCode}`);
      }
      const mine = Object.fromEntries(
        e.fields.filter((f) => f.owner === 'customer').map((f) => [f.id, null]),
      );
      if (hasCustomerField(e)) {
        const accepted = await call('POST', '/records/bulk', link, {
          records: [{ id: rid, values: mine }],
        });
        expected.push(`${e.id} customer fields by link 200`);
        actual.push(`${e.id} customer fields by link ${accepted.statusCode}`);
      }
      const all = Object.fromEntries(e.fields.map((f) => [f.id, null]));
      const byStaff = await call('POST', '/records/bulk', staff(), {
        records: [{ id: rid, values: all }],
      });
      expected.push(`${e.id} every field by staff 200`);
      actual.push(`${e.id} every field by staff ${byStaff.statusCode}`);
    }
    expect(actual).toEqual(expected);
  });

  it('states: once cancelled, a link writes nothing on any channel (409)', async () => {
    const cancelled = await call('POST', '/cancel', server.auth('sales'), {});
    expect(cancelled.statusCode).toBe(200);
    const e = entities.find((x) => hasCustomerField(x) && sample.has(x.id))!;
    const field = e.fields.find((f) => f.owner === 'customer')!.id;
    const rid = sample.get(e.id)!;
    const attempts = {
      create: await call('POST', '/records', link, { entity: e.id, values: {} }),
      bulk: await call('POST', '/records/bulk', link, {
        records: [{ id: rid, values: { [field]: null } }],
      }),
      answer: await call('POST', '/interview/answers', link, { recordId: rid, field, value: null }),
      followUp: await call('POST', '/interview/answers', link, {
        recordId: rid,
        field,
        followUp: { dueDate: '2027-01-15', contact: 'Priya Nair' },
      }),
      submit: await call('POST', '/customer-part/submit', link, {}),
    };
    expect(
      Object.fromEntries(
        Object.entries(attempts).map(([k, r]) => [
          k,
          `${r.statusCode} ${r.json<{ code: string }>().code}`,
        ]),
      ),
    ).toEqual({
      create: '409 acquisition.locked',
      bulk: '409 acquisition.locked',
      answer: '409 acquisition.locked',
      followUp: '409 acquisition.locked',
      submit: '409 acquisition.locked',
    });
  });
});
