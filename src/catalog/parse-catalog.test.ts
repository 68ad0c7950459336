import { describe, expect, it } from 'vitest';
import { testCatalog } from '../test/server.js';
import { CatalogInvalidError, parseCatalog, type LocatedCatalogIssue } from './parse-catalog.js';

const shared = `kind: shared
id: shared
version: 1.0.0
name: Shared
entities:
  - id: site
    name: Site
    fields:
      - { id: name, label: Name, type: string, required: true, owner: sales, question: Name? }
      - { id: country, label: Country, type: string, format: country, owner: sales, question: Country? }
`;

const product = (body: string) => `kind: product
id: widget
version: 1.0.0
name: Widget
${body}`;

function issuesOf(sources: { file: string; text: string }[]): LocatedCatalogIssue[] {
  try {
    parseCatalog(sources);
  } catch (error) {
    if (error instanceof CatalogInvalidError) return error.issues;
    throw error;
  }
  throw new Error('expected the catalogue to be refused');
}

describe('the demo catalogue', () => {
  it('loads, with the product specifications and entities the deal types need', async () => {
    const catalog = await testCatalog();
    expect([...catalog.products.keys()].sort()).toEqual([
      'dedicated-internet',
      'hosted-voice',
      'hosted-voice-seat',
      'mobile-line',
      'number-port',
      'sdwan-site',
      'sip-trunk',
    ]);
    expect(catalog.entities.size).toBeGreaterThanOrEqual(15);
    for (const id of ['site', 'user', 'handset']) expect(catalog.entities.has(id)).toBe(true);
    expect(catalog.versionId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('declares every domain format somewhere and marks secrets and personal data', async () => {
    const catalog = await testCatalog();
    const fields = [...catalog.entities.values()].flatMap((e) => e.fields);
    const formats = new Set(fields.flatMap((f) => [f.format, f.items?.format]).filter(Boolean));
    for (const format of ['e164', 'mac', 'cidr', 'email', 'postcode', 'imei', 'iccid'])
      expect(formats).toContain(format);
    expect(fields.some((f) => f.sensitivity === 'secret')).toBe(true);
    expect(fields.some((f) => f.sensitivity === 'personal')).toBe(true);
    expect(fields.every((f) => f.question.endsWith('?'))).toBe(true);
  });

  it('gives the same version id for the same content, whatever the file order', () => {
    const a = parseCatalog([
      { file: 'a.yaml', text: shared },
      {
        file: 'b.yaml',
        text: product('needs: [{ entity: site, cardinality: { kind: perSite } }]'),
      },
    ]);
    const b = parseCatalog([
      {
        file: 'b.yaml',
        text: product('needs: [{ entity: site, cardinality: { kind: perSite } }]'),
      },
      { file: 'a.yaml', text: shared },
    ]);
    expect(a.versionId).toBe(b.versionId);
    const c = parseCatalog([{ file: 'a.yaml', text: shared.replace('Name?', 'Site name?') }]);
    expect(c.versionId).not.toBe(a.versionId);
  });
});

describe('catalogue meta-validation', () => {
  it('names the file and line of a YAML syntax error', () => {
    const issues = issuesOf([
      { file: 'catalog/broken.yaml', text: 'kind: product\nid: [unclosed\n' },
    ]);
    expect(issues[0]).toMatchObject({
      file: 'catalog/broken.yaml',
      line: expect.any(Number) as number,
    });
    expect(issues[0]!.message).toMatch(/not valid YAML/);
  });

  it('names the file, JSON pointer and line of each schema violation', () => {
    const text = `kind: product
id: widget
version: one
name: Widget
entities:
  - id: gadget
    name: Gadget
    fields:
      - id: colour
        label: Colour
        type: colour
        owner: marketing
        question: Which colour?
        requird: true
`;
    const issues = issuesOf([{ file: 'catalog/widget.yaml', text }]);
    const at = (pointer: string) => issues.find((i) => i.pointer === pointer);
    expect(at('/version')).toMatchObject({ file: 'catalog/widget.yaml', line: 3 });
    expect(at('/entities/0/fields/0/type')?.message).toMatch(/must be one of: string, integer/);
    expect(at('/entities/0/fields/0/type')?.line).toBe(11);
    expect(at('/entities/0/fields/0/owner')?.message).toMatch(/customer, sales, engineering/);
    expect(at('/entities/0/fields/0/requird')?.message).toBe('is not a known property');
    expect(issues.map((i) => i.message).join('\n')).not.toMatch(/oneOf|anyOf/);
  });

  it('reports a missing required key on its parent', () => {
    const issues = issuesOf([{ file: 'x.yaml', text: 'kind: product\nid: x\nname: X\n' }]);
    expect(issues).toEqual([
      { file: 'x.yaml', pointer: '/version', line: 1, message: 'is required' },
    ]);
  });

  it('refuses an unknown cardinality kind and a cardinality missing its count', () => {
    const issues = issuesOf([
      { file: 's.yaml', text: shared },
      {
        file: 'w.yaml',
        text: product(
          'needs:\n  - { entity: site, cardinality: { kind: perMoon } }\n  - { entity: site, cardinality: { kind: fixed } }\n',
        ),
      },
    ]);
    expect(issues.find((i) => i.pointer === '/needs/0/cardinality/kind')?.message).toMatch(
      /not one of the known kinds/,
    );
    expect(issues.find((i) => i.pointer === '/needs/1/cardinality/count')?.message).toBe(
      'is required',
    );
  });

  it('finds ids that name nothing, across files', () => {
    const issues = issuesOf([
      { file: 's.yaml', text: shared },
      {
        file: 'w.yaml',
        text: product(`characteristics:
  - { name: gadgets, type: string }
features: [turbo]
needs:
  - { entity: gizmo, cardinality: { kind: perQuantity } }
  - { entity: site, cardinality: { kind: fromCharacteristic, characteristic: gadgets } }
  - { entity: site, when: { feature: warp }, cardinality: { kind: perSite } }
entities:
  - id: part
    name: Part
    rules:
      - { kind: unique, fields: [serial], scope: acquisition }
      - { kind: oneMembership, field: name }
    fields:
      - { id: name, label: Name, type: string, owner: customer, question: Name?, reference: nowhere }
      - { id: size, label: Size, type: integer, owner: customer, question: Size?, required: { when: { field: colour, equals: red } } }
      - { id: zip, label: Zip, type: string, format: postcode, owner: customer, question: Zip? }
      - { id: scan, label: Scan, type: integer, format: file, owner: customer, question: Scan? }
      - { id: scans, label: Scans, type: array, items: { type: string, format: file }, owner: customer, question: Scans? }
`),
      },
    ]);
    const messages = issues.map((i) => `${i.file} ${i.pointer}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'w.yaml /needs/0/entity: names entity "gizmo", which no catalogue file defines',
        'w.yaml /needs/1/cardinality/characteristic: characteristic "gadgets" must be of type integer to give a count',
        'w.yaml /needs/2/when/feature: names feature "warp", which no product needing this offers',
        'w.yaml /entities/0/rules/0/fields/0: names field "serial", which entity "part" does not have',
        'w.yaml /entities/0/rules/1/field: field "name" must be of type array to hold memberships',
        'w.yaml /entities/0/fields/0/reference: names entity "nowhere", which no catalogue file defines',
        'w.yaml /entities/0/fields/1/required/when/field: names field "colour", which this entity does not have',
        'w.yaml /entities/0/fields/2/countryField: is required with format postcode (postcodes are checked by country)',
        'w.yaml /entities/0/fields/3/type: must be string with format file (the value is the attachment id)',
        'w.yaml /entities/0/fields/4/items/format: file is one upload per field, not a list of them',
      ]),
    );
    expect(issues.every((i) => typeof i.line === 'number')).toBe(true);
  });

  it('refuses duplicate ids and a condition with two subjects', () => {
    const issues = issuesOf([
      { file: 's.yaml', text: shared },
      { file: 's2.yaml', text: shared.replace('id: shared', 'id: shared2') },
      {
        file: 'w.yaml',
        text: product(`features: [turbo]
needs:
  - { entity: site, when: { feature: turbo, characteristic: x }, cardinality: { kind: perSite } }
`),
      },
    ]);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          file: 's2.yaml',
          pointer: '/entities/0/id',
          message: 'duplicates entity "site" of s.yaml',
        }),
        expect.objectContaining({
          file: 'w.yaml',
          pointer: '/needs/0/when',
          message: expect.stringMatching(/exactly one of/) as string,
        }),
      ]),
    );
  });

  it('formats every issue on its own line in the error message', () => {
    const error = (() => {
      try {
        parseCatalog([{ file: 'catalog/x.yaml', text: 'kind: product\n' }]);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).toContain('catalog/x.yaml:1 /id: is required');
    expect(error?.message).toContain('catalog/x.yaml:1 /version: is required');
  });
});
