import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../test/database.js';
import { buildQuote } from '../test/factories.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, type TestServer } from '../test/server.js';
import type { GroupMember, ProblemGroup } from './work-list.js';
import type { AcquisitionWork } from './work-list-service.js';

const NAMES = [
  ['Amira', 'Haddad'],
  ['Ben', 'Okafor'],
  ['Chloe', 'Brennan'],
];

describe.each(dialects)('the work list on %s (the 3-site, 120-seat quote)', (dialect) => {
  let server: TestServer;
  let id: string;
  let london: { id: string; version: number }[];
  const url = (path = '') => `/api/v1/acquisitions/${id}${path}`;
  const work = async (role: 'sales' | 'engineer' | 'viewer' = 'sales') => {
    const response = await server.app.inject({
      method: 'GET',
      url: url('/work'),
      headers: server.auth(role),
    });
    expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
    return response.json<AcquisitionWork>();
  };

  beforeAll(async () => {
    server = await createTestServer(dialect);
    id = await openAcquisition(server, buildQuote());
    const users = await server.app.inject({
      method: 'GET',
      url: url('/records?entity=user&limit=500'),
      headers: server.auth('sales'),
    });
    london = users
      .json<{ items: { id: string; site: string | null; version: number }[] }>()
      .items.filter((u) => u.site === 'site-ldn');
  });
  afterAll(() => server.close());

  it('says who owes what per site, and never "no problems" while answers are missing', async () => {
    const w = await work();
    expect(w.state).toBe('collecting');
    expect(w.totals.missing).toBeGreaterThan(0);
    expect(w.owners.map((o) => o.owner)).toEqual(['customer', 'sales', 'engineering']);
    for (const owner of w.owners)
      expect(owner.sites.reduce((n, s) => n + s.missing, 0)).toBe(owner.missing);
    const customer = w.owners.find((o) => o.owner === 'customer')!;
    expect(customer.sites.map((s) => s.siteName)).toEqual(
      expect.arrayContaining([
        'London Bridge Office',
        'Bristol Harbourside',
        'Edinburgh Quartermile',
      ]),
    );
    // Every missing answer sits in exactly one group, and the groups add up to the owners' counts.
    const missing = w.groups.filter((g) => g.kind === 'missing');
    expect(missing.reduce((n, g) => n + g.count, 0)).toBe(w.totals.missing);
    expect(new Set(w.groups.map((g) => g.key)).size).toBe(w.groups.length);
    // Blocking first, then the largest.
    const blocking = w.groups.map((g) => g.severity === 'blocking');
    expect(
      blocking.indexOf(false) === -1 || !blocking.slice(blocking.indexOf(false)).includes(true),
    ).toBe(true);
  });

  it('gives each role its next action', async () => {
    expect((await work('sales')).next.action).toBe('issue-link');
    expect((await work('engineer')).next).toMatchObject({
      action: 'answer',
      title: 'Answer what engineering owes',
    });
    expect((await work('viewer')).next.action).toBe('none');
    const link = await server.app.inject({
      method: 'POST',
      url: url('/links'),
      headers: server.auth('sales'),
      payload: { contactName: 'Sam Example' },
    });
    expect(link.statusCode).toBe(201);
    // With a link out, sales answers its own part next.
    expect((await work('sales')).next).toMatchObject({
      action: 'answer',
      title: 'Answer what sales owes',
    });
  });

  it('groups a problem by rule, field and site, and names each record in it', async () => {
    const written = await server.app.inject({
      method: 'POST',
      url: url('/records/bulk'),
      headers: server.auth('sales'),
      payload: {
        records: NAMES.map(([firstName, lastName], i) => ({
          id: london[i]!.id,
          values: {
            firstName,
            lastName,
            extension: `20${i + 1}`,
            language: 'English',
            userType: 'Standard user',
          },
        })),
      },
    });
    expect(written.statusCode, written.body.slice(0, 300)).toBe(200);
    const w = await work();
    const group = w.groups.find((g) => g.field === 'language' && g.kind === 'problem')!;
    // Wrong values come before missing answers: someone answered, and the answer cannot be used.
    expect(
      w.groups
        .slice(0, 2)
        .map((g) => g.field)
        .sort(),
    ).toEqual(['language', 'userType']);
    expect(group).toMatchObject({
      rule: 'enum',
      severity: 'blocking',
      entity: 'user',
      site: 'site-ldn',
      siteName: 'London Bridge Office',
      count: 3,
    });
    expect(group.sample.map((r) => r.name)).toEqual([
      'Amira Haddad (ext. 201)',
      'Ben Okafor (ext. 202)',
      'Chloe Brennan (ext. 203)',
    ]);
    const detail = await server.app.inject({
      method: 'GET',
      url: url(`/work/group?key=${encodeURIComponent(group.key)}`),
      headers: server.auth('engineer'),
    });
    expect(detail.statusCode).toBe(200);
    const records = detail.json<ProblemGroup & { records: GroupMember[] }>().records;
    expect(records.map((r) => r.id)).toEqual(london.slice(0, 3).map((u) => u.id));
    expect(records[0]!.message).toMatch(/must be one of: en-GB/);
    // The named users no longer count as missing their names at London.
    const lastNames = w.groups.find(
      (g) => g.kind === 'missing' && g.field === 'lastName' && g.site === 'site-ldn',
    )!;
    expect(lastNames.count).toBe(london.length - 3);
    expect(lastNames.sample.map((r) => r.name)).not.toContain('Amira Haddad (ext. 201)');
  });

  it('refuses a submit with the same groups, each naming its records', async () => {
    const refused = await server.app.inject({
      method: 'POST',
      url: url('/submit'),
      headers: server.auth('sales'),
    });
    expect(refused.statusCode).toBe(409);
    const problem = refused.json<{
      detail: string;
      errors: { pointer: string; detail: string; code: string }[];
    }>();
    const w = await work();
    const blocking = w.groups.filter((g) => g.severity === 'blocking');
    expect(problem.errors).toHaveLength(blocking.length);
    expect(problem.detail).toMatch(new RegExp(`in ${blocking.length} groups must be fixed first`));
    expect(problem.errors.map((e) => e.pointer)).toEqual(
      blocking.map((g) => `/groups/${encodeURIComponent(g.key)}`),
    );
    expect(problem.errors).toContainEqual({
      pointer: expect.stringContaining(
        '/groups/problem%7Cenum%7Cuser%7CuserType%7Csite-ldn',
      ) as string,
      code: 'enum',
      detail: expect.stringMatching(
        /^User: User type must be one of: .* \(3 records at London Bridge Office: Amira Haddad \(ext. 201\), Ben Okafor \(ext. 202\), Chloe Brennan \(ext. 203\)\)\.$/,
      ) as string,
    });
    expect(problem.errors).toContainEqual(
      expect.objectContaining({
        code: 'required',
        detail: expect.stringMatching(
          /^User · Last name is missing on \d+ records at London Bridge Office \(the customer provides it\): User \d+, .* and \d+ more\.$/,
        ) as string,
      }),
    );
  });

  it('answers 404 for a group that is gone, and keeps customers out', async () => {
    const gone = await server.app.inject({
      method: 'GET',
      url: url('/work/group?key=missing%7Crequired%7Cuser%7Cnope%7C'),
      headers: server.auth('sales'),
    });
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toMatchObject({ code: 'worklist.group-not-found' });
    const link = await server.app.inject({
      method: 'POST',
      url: url('/links'),
      headers: server.auth('sales'),
      payload: { contactName: 'Sam Example' },
    });
    const token = link.json<{ token: string }>().token;
    const asCustomer = await server.app.inject({
      method: 'GET',
      url: url('/work'),
      headers: { authorization: `Bearer ${token}` },
    });
    expect(asCustomer.statusCode).toBe(403);
  });
});
