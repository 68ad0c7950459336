import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/main.js';
import { AppError } from '../errors.js';
import { determinePlan } from '../plan/determine-plan.js';
import { readProposal } from '../proposals/read-proposal.js';
import { buildQuote } from '../test/factories.js';
import { tmfValidator } from '../tmf/swagger-schemas.js';
import { importTmf620 } from './import-tmf620.js';
import { loadCatalog } from './load-catalog.js';
import { CatalogInvalidError } from './parse-catalog.js';

const fixturePath = new URL(
  '../../test/fixtures/tmf620/operator-product-specifications.json',
  import.meta.url,
).pathname;
type Spec = Record<string, unknown> & { productSpecCharacteristic?: Record<string, unknown>[] };
const specifications = () => JSON.parse(readFileSync(fixturePath, 'utf8')) as Spec[];

/** A copy of the demo catalogue to import into. */
function catalogFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'intake-tmf620-'));
  cpSync(new URL('../../catalog', import.meta.url).pathname, dir, { recursive: true });
  return dir;
}

/** Every file of the folder and its text: to show that nothing was written. */
const snapshot = (dir: string) =>
  Object.fromEntries(readdirSync(dir).map((n) => [n, readFileSync(join(dir, n), 'utf8')]));

/** A TMF648 quote for the imported products, at the demo quote's London site. */
function quoteFor(...items: { spec: string; quantity?: number; characteristics: object }[]) {
  const demo = buildQuote() as { quoteItem: { product: { place: unknown[] } }[] };
  const place = demo.quoteItem[1]!.product.place;
  return buildQuote({
    quoteItem: items.map((item, i) => ({
      id: String(i + 1),
      action: 'add',
      state: 'accepted',
      quantity: item.quantity ?? 1,
      product: {
        '@type': 'Product',
        productSpecification: { id: item.spec },
        productCharacteristic: Object.entries(item.characteristics).map(([name, value]) => ({
          name,
          value: value as unknown,
        })),
        place,
      },
    })),
  });
}

async function refusal(run: () => unknown): Promise<AppError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('intake catalog import-tmf620', () => {
  it('reads test documents that are TMF620 v4 ProductSpecifications', () => {
    const validate = tmfValidator('productCatalog', 'ProductSpecification');
    for (const spec of specifications())
      expect(validate(spec), JSON.stringify(validate.errors)).toBe(true);
  });

  it('writes a product per specification: its characteristics, and a skeleton to complete', async () => {
    const dir = catalogFolder();
    const result = await importTmf620(specifications(), dir);
    expect(result.products.map((p) => [p.id, p.status, basename(p.file)])).toEqual([
      ['PS-BB-FTTP-01', 'new', 'ps-bb-fttp-01.yaml'],
      ['PS-SIPT-02', 'new', 'ps-sipt-02.yaml'],
    ]);
    expect(result.written).toBe(true);

    const catalog = await loadCatalog(dir);
    expect(catalog.versionId).toBe(result.catalogVersion);
    const broadband = catalog.products.get('PS-BB-FTTP-01')!;
    expect(broadband).toMatchObject({ name: 'Business Fibre Broadband', version: '2.1.0' });
    expect(broadband.characteristics).toEqual([
      {
        name: 'Access Speed',
        type: 'string',
        required: true,
        description: 'Download/upload speed of the line.',
        enum: ['80/20 Mbps', '330/50 Mbps', '900/110 Mbps'],
      },
      { name: 'Static IP Block', type: 'string', enum: ['/30', '/29', '/28'] },
      {
        name: 'Contract Term',
        type: 'integer',
        required: true,
        description: 'In months.',
        enum: [12, 24, 36],
      },
      { name: 'Managed Router', type: 'boolean' },
    ]);
    const trunk = catalog.products.get('PS-SIPT-02')!;
    expect(trunk.version).toBe('3.0.0');
    expect(trunk.characteristics).toEqual([
      {
        name: 'Call Paths',
        type: 'integer',
        required: true,
        description: 'In channels.',
        minimum: 2,
        maximum: 300,
      },
      // valueTo 51 with "closedBottom": the top is open, so 50 is the largest.
      { name: 'Number Blocks', type: 'integer', minimum: 0, maximum: 50 },
      { name: 'Codecs', type: 'array', required: true },
    ]);
    expect(result.warnings).toEqual([
      {
        pointer: '/1/productSpecCharacteristic/3/valueType',
        detail: expect.stringContaining(
          '"Failover Configuration" has value type "object"',
        ) as string,
      },
    ]);

    expect(catalog.entities.get('businessFibreBroadband')).toMatchObject({
      name: 'Business Fibre Broadband',
      siteField: 'site',
      fields: [{ id: 'site', reference: 'site', required: true, owner: 'sales' }],
    });
    expect(broadband.needs).toEqual([
      { entity: 'businessFibreBroadband', cardinality: { kind: 'perQuantity' } },
      { entity: 'site', cardinality: { kind: 'perSite' } },
    ]);
    expect(readFileSync(join(dir, 'ps-bb-fttp-01.yaml'), 'utf8')).toMatch(
      /^# Imported from the TMF620 ProductSpecification "PS-BB-FTTP-01"[\s\S]*TO COMPLETE/,
    );
  });

  it('checks quotes against the imported characteristics', async () => {
    const dir = catalogFolder();
    await importTmf620(specifications(), dir);
    const catalog = await loadCatalog(dir);

    const agreed = readProposal(
      quoteFor(
        {
          spec: 'PS-BB-FTTP-01',
          quantity: 2,
          characteristics: { 'Access Speed': '330/50 Mbps', 'Contract Term': 36 },
        },
        { spec: 'PS-SIPT-02', characteristics: { 'Call Paths': 30, Codecs: ['G.711a', 'G.722'] } },
      ),
      catalog,
    );
    const plan = determinePlan(agreed, catalog, []);
    const expected = Object.fromEntries(plan.entities.map((e) => [e.entity, e.expected]));
    expect(expected).toMatchObject({ businessFibreBroadband: 2, sipTrunkChannels: 1, site: 1 });

    const error = await refusal(() =>
      readProposal(
        quoteFor(
          {
            spec: 'PS-BB-FTTP-01',
            characteristics: { 'Access Speed': '1 Gbps', 'Contract Term': 18 },
          },
          { spec: 'PS-SIPT-02', characteristics: { 'Call Paths': 500, Codecs: ['G.711a'] } },
          { spec: 'PS-BB-FTTP-01', characteristics: { 'Access Speed': '80/20 Mbps' } },
        ),
        catalog,
      ),
    );
    expect(error.status).toBe(422);
    expect(error.errors).toEqual(
      expect.arrayContaining([
        {
          pointer: '/quoteItem/0/product/productCharacteristic/0/value',
          detail:
            'characteristic "Access Speed" must be one of: 80/20 Mbps, 330/50 Mbps, 900/110 Mbps',
        },
        {
          pointer: '/quoteItem/0/product/productCharacteristic/1/value',
          detail: 'characteristic "Contract Term" must be one of: 12, 24, 36',
        },
        {
          pointer: '/quoteItem/1/product/productCharacteristic/0/value',
          detail: 'characteristic "Call Paths" must be at most 300',
        },
        {
          pointer: '/quoteItem/2/product/productCharacteristic',
          detail:
            'lacks characteristic "Contract Term", which every Business Fibre Broadband must carry',
        },
      ]),
    );
    expect(error.errors).toHaveLength(4);
  });

  it('imported again, replaces the characteristics and keeps what a person completed', async () => {
    const dir = catalogFolder();
    await importTmf620(specifications(), dir);
    const file = join(dir, 'ps-bb-fttp-01.yaml');
    // A person completes the skeleton: a field the deal needs, and a note of their own.
    const completed = readFileSync(file, 'utf8')
      .replace('needs:', '# Reviewed by provisioning, 2026-11.\nneeds:')
      .replace(
        '        mapping: siteName\n',
        [
          '        mapping: siteName',
          '      - id: ontSerial',
          '        label: ONT serial number',
          '        type: string',
          '        maxLength: 40',
          '        owner: engineering',
          '        question: What is the serial number of the fibre termination unit?',
          '',
        ].join('\n'),
      );
    expect(completed).toContain('ontSerial');
    writeFileSync(file, completed);

    const again = await importTmf620(specifications(), dir);
    expect(again.products.map((p) => p.status)).toEqual(['unchanged', 'unchanged']);
    expect(again.written).toBe(false);

    const revised = specifications();
    revised[0]!.version = '2.2';
    revised[0]!.productSpecCharacteristic![0]!.productSpecCharacteristicValue = [
      { value: '330/50 Mbps' },
      { value: '900/110 Mbps' },
      { value: '1800/120 Mbps' },
    ];
    const updated = await importTmf620(revised, dir);
    expect(updated.products.map((p) => p.status)).toEqual(['updated', 'unchanged']);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# Reviewed by provisioning, 2026-11.');
    expect(text).toContain('TO COMPLETE');
    const catalog = await loadCatalog(dir);
    const broadband = catalog.products.get('PS-BB-FTTP-01')!;
    expect(broadband.version).toBe('2.2.0');
    expect(broadband.characteristics![0]!.enum).toEqual([
      '330/50 Mbps',
      '900/110 Mbps',
      '1800/120 Mbps',
    ]);
    expect(catalog.entities.get('businessFibreBroadband')!.fields.map((f) => f.id)).toEqual([
      'site',
      'ontSerial',
    ]);
  });

  it('updates a hand-written product it names, and writes nothing that would break the catalogue', async () => {
    const dir = catalogFolder();
    const before = snapshot(dir);
    // The operator's specification of the seat lacks userType, which a user's field is pre-filled from.
    const seat: Spec = {
      id: 'hosted-voice-seat',
      name: 'Hosted voice seat',
      version: '1.1',
      '@type': 'ProductSpecification',
      productSpecCharacteristic: [
        { name: 'features', valueType: 'string', maxCardinality: 7 },
        {
          name: 'handsetModel',
          valueType: 'string',
          productSpecCharacteristicValue: [{ value: 'Yealink T54W' }, { value: 'Poly VVX 450' }],
        },
      ],
    };
    const broken = await importTmf620([...specifications(), seat], dir).then(
      () => null,
      (error: unknown) => error,
    );
    expect(broken).toBeInstanceOf(CatalogInvalidError);
    expect((broken as CatalogInvalidError).message).toContain(
      'names characteristic "userType", which no product needing "user" declares',
    );
    expect(snapshot(dir)).toEqual(before);

    seat.productSpecCharacteristic!.push({
      name: 'userType',
      valueType: 'string',
      productSpecCharacteristicValue: ['standard', 'commonArea', 'virtual', 'messageOnly'].map(
        (value) => ({ value }),
      ),
    });
    const result = await importTmf620([seat], dir);
    expect(result.products).toMatchObject([
      {
        id: 'hosted-voice-seat',
        status: 'updated',
        file: expect.stringMatching(/hosted-voice-seat\.yaml$/) as string,
      },
    ]);
    const catalog = await loadCatalog(dir);
    const product = catalog.products.get('hosted-voice-seat')!;
    expect(product.version).toBe('1.1.0');
    expect(product.characteristics!.find((c) => c.name === 'handsetModel')!.enum).toEqual([
      'Yealink T54W',
      'Poly VVX 450',
    ]);
    // Its needs, features and row groups are the hand-written ones.
    expect(product.needs!.map((n) => n.entity)).toEqual(['user', 'handset', 'site']);
    expect(product.features).toContain('voicemail');
    expect(readFileSync(join(dir, 'hosted-voice-seat.yaml'), 'utf8')).toMatch(
      /^# One hosted-voice seat/,
    );
  });

  it('refuses a document that is not TMF620 product specifications, naming each place', async () => {
    const dir = catalogFolder();
    const before = snapshot(dir);
    expect(await refusal(() => importTmf620({ quoteItem: [] }, dir))).toMatchObject({
      code: 'request.invalid',
      errors: [{ pointer: '' }],
    });
    const error = await refusal(() =>
      importTmf620(
        [
          { id: 'PS 1', name: 'Spaces in its id' },
          { id: 'PS-2', name: 'Typed', productSpecCharacteristic: 'speed' },
          {
            id: 'PS-3',
            name: 'Speeds',
            productSpecCharacteristic: [
              {
                name: 'Speed',
                valueType: 'integer',
                productSpecCharacteristicValue: [{ value: '100' }, { value: 'fast' }],
              },
              { name: '', valueType: 'string' },
            ],
          },
          { id: 'PS-3', name: 'Again' },
        ],
        dir,
      ),
    );
    expect(error.errors.map((e) => e.pointer)).toEqual([
      '/0/id',
      '/1/productSpecCharacteristic',
      '/2/productSpecCharacteristic/0/productSpecCharacteristicValue/1/value',
      '/2/productSpecCharacteristic/1/name',
      '/3/id',
    ]);
    expect(error.errors[2]!.detail).toBe('"fast" is not a value of type integer');
    expect(error.errors[4]!.detail).toContain('repeats product specification "PS-3"');
    expect(snapshot(dir)).toEqual(before);
  });

  it('runs from the command line, with a dry run that writes nothing', async () => {
    const dir = catalogFolder();
    const before = snapshot(dir);
    const lines: string[] = [];
    const out = { log: (l: string) => lines.push(l), error: (l: string) => lines.push(l) };
    const run = (...args: string[]) =>
      runCli(['catalog', 'import-tmf620', fixturePath, '--catalog', dir, ...args], out, {});

    expect(await run('--dry-run')).toBe(0);
    expect(snapshot(dir)).toEqual(before);
    expect(lines.join('\n')).toContain('PS-BB-FTTP-01 (Business Fibre Broadband) →');
    expect(lines.at(-1)).toContain('(dry run: nothing written)');

    lines.length = 0;
    expect(await run()).toBe(0);
    expect(lines.join('\n')).toContain('its entities are a skeleton to complete');
    expect(lines.join('\n')).toContain('note /1/productSpecCharacteristic/3/valueType');
    expect(Object.keys(snapshot(dir))).toContain('ps-sipt-02.yaml');

    lines.length = 0;
    expect(await runCli(['catalog', 'check', '--catalog', dir], out, {})).toBe(0);
    expect(lines[0]).toMatch(/is valid: 9 product specifications/);

    const bad = join(dir, 'not-json.txt');
    writeFileSync(bad, '{ "id": ');
    lines.length = 0;
    expect(await runCli(['catalog', 'import-tmf620', bad, '--catalog', dir], out, {})).toBe(1);
    expect(lines.join('\n')).toContain('cannot be read as JSON');
  });
});
