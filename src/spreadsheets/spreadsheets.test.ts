import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import type { EntitySpec } from '../catalog/model.js';
import { CUSTOMER_SHEET_HEADER } from '../test/customer-sheet.js';
import { testCatalog } from '../test/server.js';
import {
  columnLetter,
  detectHeaderRow,
  mapColumns,
  normalizeHeader,
  type MappingTarget,
} from './header-mapping.js';
import { columnIndexOf } from './read-xlsx.js';
import { detectDelimiter, detectEncoding } from './read-csv.js';
import { neutralizeFormula, restoreFormulaText, sheetNameOf } from './sheet-columns.js';

const catalog = await testCatalog();
const user = catalog.entities.get('user')!;
const handset = catalog.entities.get('handset')!;
const only = (e: EntitySpec): MappingTarget[] => [{ entity: e, fields: e.fields }];

describe('column mapping', () => {
  it('tries exact names, then names without case and punctuation, then synonyms, then the closest', () => {
    const mapping = mapColumns(
      ['Email', 'LAST NAME', 'Ext.', 'Frist Name', 'Desk', ''],
      only(user),
    );
    expect(mapping.columns.map((c) => [c.column, c.field, c.match])).toEqual([
      ['A', 'email', 'exact'],
      ['B', 'lastName', 'normalized'],
      ['C', 'extension', 'synonym'],
      ['D', 'firstName', 'closest'],
      ['E', null, 'unmapped'],
    ]);
    expect(mapping.missingRequired).toEqual(['site']);
  });

  it('gives each field one column, the surest match first, and follows overrides by header or letter', () => {
    const mapping = mapColumns(['Extension', 'Ext', 'Office'], only(user), {
      C: 'department',
      Ext: null,
    });
    expect(mapping.columns.map((c) => [c.field, c.match])).toEqual([
      ['extension', 'exact'],
      [null, 'ignored'],
      ['department', 'explicit'],
    ]);
  });

  it('recognises the Intake ID and Problems columns of a template or a report', () => {
    const mapping = mapColumns(['Intake ID', 'MAC address *', 'Problems'], only(handset));
    expect(mapping.columns.map((c) => c.match)).toEqual(['recordId', 'exact', 'ignored']);
  });

  it('maps a row of a user and their handset to both entities, a shared name to the first', () => {
    const headers = [...CUSTOMER_SHEET_HEADER, 'Intake ID (Handset)'];
    const targets = [...only(user), ...only(handset)];
    const linked = new Set(['handset.assignedUser', 'handset.site']);
    const mapping = mapColumns(headers, targets, {}, linked);
    expect(mapping.columns.map((c) => [c.column, c.entity, c.field, c.match])).toEqual([
      ['A', 'user', 'extension', 'synonym'],
      ['B', 'user', 'firstName', 'normalized'],
      ['C', 'user', 'lastName', 'synonym'],
      ['D', 'user', 'email', 'synonym'],
      ['E', 'user', 'directNumber', 'synonym'],
      ['F', 'handset', 'mac', 'synonym'],
      ['G', 'handset', 'model', 'synonym'],
      ['H', 'user', 'site', 'synonym'],
      ['I', null, null, 'unmapped'],
      ['J', 'handset', null, 'recordId'],
    ]);
    // The handset's user and site come from the row's user, so they are not missing.
    expect(mapping.missingRequired).toEqual([]);
    const retargeted = mapColumns(
      headers,
      targets,
      { Location: 'handset.site', I: 'user.department' },
      linked,
    );
    expect(retargeted.columns[7]).toMatchObject({
      entity: 'handset',
      field: 'site',
      match: 'explicit',
    });
    expect(retargeted.columns[8]).toMatchObject({ entity: 'user', field: 'department' });
    expect(retargeted.missingRequired).toContain('user.site');
  });

  it('finds the header among title rows', () => {
    const rows = [
      ['Staff list'],
      ['Exported today'],
      [],
      ['Given Name', 'Surname', 'Ext'],
      ['Ann', 'Lee', '2001'],
    ];
    expect(detectHeaderRow(rows, only(user))).toBe(3);
    expect(detectHeaderRow([['a', 'b']], only(user))).toBe(-1);
  });

  it('normalises headers and names columns as spreadsheets do', () => {
    expect(normalizeHeader('MAC Addr. *')).toBe('macaddr');
    expect(columnLetter(0)).toBe('A');
    expect(columnLetter(25)).toBe('Z');
    expect(columnLetter(26)).toBe('AA');
    expect(columnLetter(701)).toBe('ZZ');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 16383 }),
        (i) => columnIndexOf(`${columnLetter(i)}7`) === i,
      ),
    );
    expect(sheetNameOf(user)).toBe('Users');
    expect(sheetNameOf(catalog.entities.get('emergencyLocation')!)).toBe('Emergency locations');
    expect(sheetNameOf(catalog.entities.get('portRequest')!)).toBe('Port requests (LOA)');
    const names = [...catalog.entities.values()].map(sheetNameOf);
    expect(new Set(names).size).toBe(names.length);
    expect(names.every((n) => n.length <= 31 && !/[[\]:*?/\\]/.test(n))).toBe(true);
  });
});

describe('reading text files', () => {
  it('tells UTF-8, UTF-16 and Windows-1252 apart', () => {
    expect(detectEncoding(Buffer.from('\ufeffName\n', 'utf8'))).toBe('utf8');
    expect(detectEncoding(Buffer.from('Zoë,José\n', 'utf8'))).toBe('utf8');
    expect(detectEncoding(iconv.encode('Zoë,José\n', 'windows1252'))).toBe('windows1252');
    expect(detectEncoding(iconv.encode('Name,Ext\n', 'utf16le'))).toBe('utf16le');
    expect(
      detectEncoding(Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode('A', 'utf16be')])),
    ).toBe('utf16be');
    // A sample cut inside a two-byte character is still UTF-8.
    expect(detectEncoding(Buffer.from('Zoë', 'utf8').subarray(0, 3))).toBe('utf8');
  });

  it('finds the delimiter outside quotes', () => {
    expect(detectDelimiter('a;b;c\n1;2;3\n')).toBe(';');
    expect(detectDelimiter('a\tb\n1\t2\n')).toBe('\t');
    expect(detectDelimiter('"x;y;z",b\n1,2\n')).toBe(',');
  });
});

describe('formula injection', () => {
  it('neutralises what would run, keeps numbers and E.164 as they are, and undoes it on import', () => {
    expect(neutralizeFormula('=1+1')).toBe("'=1+1");
    expect(neutralizeFormula('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(neutralizeFormula("+cmd|' /C calc'!A0")).toBe("'+cmd|' /C calc'!A0");
    expect(neutralizeFormula('-2+3')).toBe("'-2+3");
    expect(neutralizeFormula('+441632960123')).toBe('+441632960123');
    expect(neutralizeFormula('-5')).toBe('-5');
    expect(neutralizeFormula('Amelia')).toBe('Amelia');
    fc.assert(
      fc.property(fc.string(), (text) => {
        const out = neutralizeFormula(text);
        return restoreFormulaText(out) === text || restoreFormulaText(text) !== text;
      }),
    );
  });
});
