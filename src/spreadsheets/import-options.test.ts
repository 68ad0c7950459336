import { describe, expect, it } from 'vitest';
import { readImportOptions } from './import-options.js';

const codeOf = (read: () => unknown): string | undefined => {
  try {
    read();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
};

describe('the options of an import', () => {
  it('defaults to valid rows and merge, and lets a form field win over the query', () => {
    expect(readImportOptions({}, {}, 'a.csv')).toEqual({
      mode: 'valid-rows',
      match: 'merge',
      entity: undefined,
      mapping: undefined,
    });
    expect(
      readImportOptions({ mode: 'validate', entity: 'user' }, { mode: 'all-or-nothing' }, 'a.csv'),
    ).toMatchObject({ mode: 'all-or-nothing', entity: 'user' });
  });

  it('reads a mapping by header, or by sheet name and header', () => {
    const bySheet = { Users: { Vorname: 'firstName', Notes: null } };
    expect(readImportOptions({ mapping: JSON.stringify(bySheet) }, {}, 'a.xlsx').mapping).toEqual(
      bySheet,
    );
    expect(readImportOptions({}, { mapping: '{"Vorname":"firstName"}' }, 'a.csv').mapping).toEqual({
      Vorname: 'firstName',
    });
  });

  it('refuses a bad mapping, an unknown mode or match, and a NUL in a field or the name', () => {
    expect(codeOf(() => readImportOptions({ mapping: '{' }, {}, 'a.csv'))).toBe(
      'import.mapping-invalid',
    );
    expect(codeOf(() => readImportOptions({ mapping: '[1]' }, {}, 'a.csv'))).toBe(
      'import.mapping-invalid',
    );
    expect(codeOf(() => readImportOptions({ mode: 'fast' }, {}, 'a.csv'))).toBe('request.invalid');
    expect(codeOf(() => readImportOptions({}, { match: 'replace' }, 'a.csv'))).toBe(
      'request.invalid',
    );
    expect(codeOf(() => readImportOptions({}, { entity: 'us\u0000er' }, 'a.csv'))).toBe(
      'request.nul-character',
    );
    expect(codeOf(() => readImportOptions({}, {}, 'a\u0000.csv'))).toBe('request.nul-character');
  });
});
