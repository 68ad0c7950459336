import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Catalog, FieldSpec } from '../catalog/model.js';
import { testCatalog } from '../test/server.js';
import { isNormalForm, normalizeField } from './normalize-field.js';
import { normalizeRecordValues, normalizeStoredValues, sameValue } from './record-values.js';

let catalog: Catalog;
let fields: FieldSpec[];
beforeAll(async () => {
  catalog = await testCatalog();
  fields = [...catalog.entities.values()].flatMap((e) => e.fields);
});

const COUNTRIES = [undefined, 'GB', 'US', 'IE', 'DE', 'NL'];

/** Values as stored: normal forms, near misses (case, spacing, separators), invalid ones. */
const storedValue = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom(
    '80:5E:C0:12:34:56',
    '80:5e:c0:12:34:56',
    '80-5E-C0-12-34-56',
    '805EC0123456',
    '1234',
    '123456789',
    ' 1234',
    'sam@example.com',
    'Sam@Example.com ',
    'not an email',
    'Europe/London',
    'europe/london',
    '+441134960321',
    '0113 496 0321',
    'LS1 6HD',
    'ls16hd',
    'Yealink T54W',
    'yealink t54w',
    'standard',
    'Standard',
    'voicemail',
    'GB',
    'gb',
    '2026-02-30',
    '10.0.0.0/24',
    'York  Office',
    'York\tOffice',
    'York\u00a0Office',
    '\u3000York',
    '',
    '   ',
  ),
  fc.integer({ min: -5, max: 100 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.constantFrom('voicemail', 'Voicemail', ' busyLamp', '1234', '', 'x'), {
    maxLength: 4,
  }),
);

describe('isNormalForm', () => {
  it('holds only for values normalisation returns unchanged and without a problem, in any country', () => {
    fc.assert(
      fc.property(fc.nat(), storedValue, (n, value) => {
        const field = fields[n % fields.length]!;
        if (!isNormalForm(field, value)) return;
        for (const country of COUNTRIES) {
          const result = normalizeField(field, value, { country });
          expect(
            result.problem,
            `${field.id} ${JSON.stringify(value)} in ${country}`,
          ).toBeUndefined();
          expect(sameValue(result.value, value), `${field.id} ${JSON.stringify(value)}`).toBe(true);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('recognises what the engine stores for MACs, extensions, emails, choices, text, numbers and yes/no', () => {
    const byId = (entity: string, id: string) =>
      catalog.entities.get(entity)!.fields.find((f) => f.id === id)!;
    const stored = (field: FieldSpec, raw: unknown) => normalizeField(field, raw, {}).value;
    const cases: [FieldSpec, unknown][] = [
      [byId('handset', 'mac'), 'aa-bb-cc-dd-ee-ff'],
      [byId('handset', 'model'), 'yealink t54w'],
      [byId('handset', 'lineKeys'), '12'],
      [byId('user', 'extension'), ' 2001 '],
      [byId('user', 'email'), 'sam@example.com'],
      [byId('user', 'lastName'), '  Fenwick   Rowe '],
      [byId('user', 'voicemail'), 'yes'],
    ];
    for (const [field, raw] of cases) expect(isNormalForm(field, stored(field, raw))).toBe(true);
  });
});

describe('normalizeStoredValues', () => {
  it('gives what normalizeRecordValues gives, its valid values taken over the stored ones', () => {
    const entities = [...catalog.entities.values()];
    fc.assert(
      fc.property(
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), storedValue), { maxLength: 8 }),
        fc.constantFrom(...COUNTRIES),
        (n, picks, country) => {
          const entity = entities[n % entities.length]!;
          const raw: Record<string, unknown> = { unknownField: 'kept' };
          for (const [i, value] of picks) raw[entity.fields[i % entity.fields.length]!.id] = value;
          const expected = normalizeRecordValues(entity, raw, country);
          const merged = { ...raw };
          for (const [field, value] of Object.entries(expected.values))
            if (!expected.problems.has(field)) merged[field] = value;
          const actual = normalizeStoredValues(entity, raw, country);
          expect(actual.values).toEqual(merged);
          expect([...actual.problems]).toEqual([...expected.problems]);
          if (Object.keys(merged).every((f) => sameValue(merged[f], raw[f])))
            expect(actual.values).toBe(raw);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
