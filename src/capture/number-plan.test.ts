import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { determinePlan } from '../plan/determine-plan.js';
import { listPlanSlots } from '../plan/list-plan-slots.js';
import { readProposal } from '../proposals/read-proposal.js';
import { dialects } from '../test/database.js';
import { buildTwoSiteDeal } from '../test/factories.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, testCatalog, type TestServer } from '../test/server.js';
import { normalizeFormat } from './formats.js';

/** A deal that ports its numbers: seats at two sites, a number port, and no numberBlocks on the quote. */
const portingDeal = () => buildTwoSiteDeal({ extensionLength: 4 }, { leeds: 4, york: 2 });

describe('numbers and ranges as people write them', () => {
  const range = (text: string, country = 'GB') => normalizeFormat('e164-range', text, country);

  it('reads a number or a range in national or international notation, the end by its last digits', () => {
    expect(range('0113 496 0300')).toEqual({ ok: true, value: '+441134960300' });
    expect(range('+44 113 496 0300-0399')).toEqual({
      ok: true,
      value: '+441134960300-+441134960399',
    });
    expect(range('0113 496 0300 to 0113 496 0399')).toMatchObject({
      value: '+441134960300-+441134960399',
    });
    expect(range('+441134960300 - +441134960399')).toMatchObject({
      value: '+441134960300-+441134960399',
    });
    expect(range('0113 496 0300–0309')).toMatchObject({ value: '+441134960300-+441134960309' });
    // A hyphen inside a number is not a range.
    expect(range('0113-496-0300')).toEqual({ ok: true, value: '+441134960300' });
  });

  it('says what is wrong with a range', () => {
    expect(range('0113 496 0399-0300')).toEqual({
      ok: false,
      message: 'runs backwards, from +441134960399 down to +441134960300',
    });
    expect(range('+44 113 496 0000 to +44 113 498 0000')).toEqual({
      ok: false,
      message: 'holds more than 10,000 numbers; split it into smaller ranges',
    });
    expect(range('0113 496 0300 to 020 7946 0000')).toMatchObject({ ok: false });
    expect(range('ask Dave')).toEqual({
      ok: false,
      message:
        'is not a phone number or a range of numbers (for example +44 113 496 0300 or +44 113 496 0300-0399)',
    });
  });

  it('advises in the notation the number was written in, for the site country', () => {
    const phone = (text: string, country?: string) => normalizeFormat('e164', text, country);
    expect(phone('0113 496 03211 12', 'GB')).toEqual({
      ok: false,
      message:
        'is too long for a GB number; check the digits: in national form it looks like 07400 123456',
    });
    expect(phone('+44 113 496', 'GB')).toEqual({
      ok: false,
      message:
        'is too short for a GB number; check the digits: in international form it looks like +44 7400 123456',
    });
    // Never "or in national form" to someone who wrote national form already.
    const national = phone('0113 496 032', 'GB');
    expect(national.ok ? '' : national.message).not.toMatch(/or in national form/);
    expect(phone('496 0321')).toEqual({
      ok: false,
      message:
        'is not a phone number that can be read without a country: write it with + and the country code, for example +44 113 496 0321',
    });
  });
});

describe('the plan of a deal with no numberBlocks on its quote', () => {
  it('expects one number block per site with seats, sized from its seats, for engineering', async () => {
    const catalog = await testCatalog();
    const proposal = readProposal(portingDeal(), catalog);
    const plan = determinePlan(proposal, catalog, []);
    expect(plan.entities.find((e) => e.entity === 'numberBlock')).toMatchObject({
      expected: 2,
      max: 2,
    });
    const slots = listPlanSlots(proposal, catalog, []).slots.filter(
      (s) => s.entity === 'numberBlock',
    );
    expect(slots.map((s) => [s.site, s.prefilled.site, s.prefilled.size])).toEqual([
      ['leeds', 'leeds', 4],
      ['york', 'york', 2],
    ]);
    expect(slots[0]!.missing).toEqual(expect.arrayContaining(['firstNumber', 'lastNumber']));
  });
});

describe.each(dialects)('direct numbers against the number plan on %s', (dialect) => {
  let server: TestServer;
  let acquisitionId: string;
  const url = (path = '') => `/api/v1/acquisitions/${acquisitionId}${path}`;
  const sales = () => server.auth('sales');
  const records = async (entity: string) =>
    (
      await server.app.inject({
        method: 'GET',
        url: url(`/records?entity=${entity}`),
        headers: sales(),
      })
    ).json<{
      items: {
        id: string;
        version: number;
        findings: { rule: string; severity: string; message: string }[];
      }[];
    }>().items;
  const patch = (id: string, version: number, values: Record<string, unknown>) =>
    server.app.inject({
      method: 'PATCH',
      url: url(`/records/${id}`),
      headers: { ...sales(), 'if-match': `"${version}"` },
      payload: values,
    });

  beforeAll(async () => {
    server = await createTestServer(dialect);
    acquisitionId = await openAcquisition(server, portingDeal());
  });
  afterAll(() => server.close());

  it('waits for the plan, then takes a number from the ported range, and says what to do with one outside', async () => {
    const [user] = await records('user');
    const waiting = await patch(user!.id, user!.version, { directNumber: '0113 496 0321' });
    expect(waiting.statusCode).toBe(200);
    expect(waiting.json<{ findings: unknown[] }>().findings).toEqual([
      expect.objectContaining({
        rule: 'number-plan-pending',
        severity: 'warning',
        message:
          'Waiting for the number plan: no number block or ported numbers have been captured yet, so +441134960321 cannot be checked.',
      }),
    ]);
    // The customer lists the numbers they are porting: a range and a single number.
    const [port] = await records('portRequest');
    const ported = await patch(port!.id, port!.version, {
      numbers: '0113 496 0300-0399, 0113 496 0500',
    });
    expect(ported.json<{ values: { numbers: string[] } }>().values.numbers).toEqual([
      '+441134960300-+441134960399',
      '+441134960500',
    ]);
    // The user's number is in the ported range: the warning is gone, without touching the user.
    expect((await records('user')).find((u) => u.id === user!.id)!.findings).toEqual([]);
    const [, other] = await records('user');
    const outside = await patch(other!.id, other!.version, { directNumber: '0113 496 0600' });
    expect(outside.json<{ findings: unknown[] }>().findings).toEqual([
      expect.objectContaining({
        rule: 'number-in-block',
        severity: 'blocking',
        message:
          'Direct number +441134960600 is not in the numbers being ported in (+441134960300–0399, +441134960500): use one of those, or add it to the port request if it is one of your current numbers.',
      }),
    ]);
    // Engineering allocates a block at York: a number in it is fine too.
    const blocks = await records('numberBlock');
    const york = blocks[1]!;
    await patch(york.id, york.version, {
      firstNumber: '01904 550100',
      lastNumber: '01904 550199',
      source: 'new',
    });
    const inBlock = await patch(other!.id, outside.json<{ version: number }>().version, {
      directNumber: '01904 550123',
    });
    expect(inBlock.json<{ findings: unknown[] }>().findings).toEqual([]);
  });
});
