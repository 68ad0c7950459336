import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { buildXlsx, type XlsxRow } from '../test/xlsx-file.js';
import { CsvGuard } from './csv-guard.js';
import { columnLetter } from './header-mapping.js';
import { openTable, XlsxError } from './open-table.js';
import { refusalOf } from './prepare-import.js';
import { columnIndexOf } from './read-xlsx.js';
import { MAX_CELL_CHARACTERS, SheetLimitError, type SheetLimits } from './sheet-limits.js';

const dir = mkdtempSync(join(tmpdir(), 'intake-read-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const fileOf = (bytes: Buffer | string) => {
  const path = join(dir, `upload-${++files}`);
  writeFileSync(path, bytes);
  return path;
};

const UNZIP = { maxUnzippedBytes: 64 * 1024 * 1024, maxCompressionRatio: 200 };
const DEFAULTS: SheetLimits = { maxColumns: 200, maxRows: 1_000_000 };
const MiB = 1024 * 1024;

/** Reads every row of every sheet; returns the widest row, or the error the reading ended with. */
async function readAll(path: string, limits: SheetLimits = DEFAULTS) {
  let widest = 0;
  let highest = 0;
  try {
    const table = await openTable(path, 'upload.xlsx', { ...UNZIP, ...limits });
    try {
      for (const sheet of table.sheets) {
        for await (const row of sheet.rows()) {
          widest = Math.max(widest, row.cells.length);
          if (row.cells.length > 0) highest = Math.max(highest, row.number);
        }
      }
    } finally {
      table.close();
    }
    return { widest, highest, error: undefined };
  } catch (error) {
    return { widest, highest, error };
  }
}

describe('reading an upload within its limits', () => {
  it('refuses the 1.5 KB workbook with cell ZZZZZZZ2 before padding its row, naming the cell', async () => {
    const bytes = buildXlsx([
      {
        name: 'Handsets',
        rows: [
          { r: '1', cells: [{ r: 'A1', text: 'MAC Address' }] },
          { r: '2', cells: [{ r: 'ZZZZZZZ2', text: 'x' }] },
        ],
      },
    ]);
    expect(bytes.length).toBeLessThan(1536);
    const before = process.memoryUsage().heapUsed;
    const { error } = await readAll(fileOf(bytes));
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(32 * MiB);
    expect(error).toBeInstanceOf(SheetLimitError);
    expect(error).toMatchObject({ kind: 'columns', cell: 'ZZZZZZZ2', row: 2, sheet: 'Handsets' });
    const refusal = refusalOf(error) as AppError;
    expect(refusal).toBeInstanceOf(AppError);
    expect(refusal).toMatchObject({ code: 'import.too-many-columns', status: 422 });
    expect(refusal.message).toContain('ZZZZZZZ2');
    expect(refusal.message).toContain('Row 2 of "Handsets"');
  });

  it('refuses a cell on a row numbered past the row limit, and one longer than Excel allows', async () => {
    const far = buildXlsx([
      { name: 'S', rows: [{ r: '4000000000', cells: [{ r: 'B4000000000', text: 'x' }] }] },
    ]);
    expect((await readAll(fileOf(far))).error).toMatchObject({
      kind: 'rows',
      cell: 'B4000000000',
    });
    expect(refusalOf((await readAll(fileOf(far))).error)).toMatchObject({
      code: 'import.too-many-rows',
      status: 413,
    });
    // An empty row far down (Excel writes them for a row's height) is no reason to refuse.
    const blankFar = buildXlsx([
      {
        name: 'S',
        rows: [
          { r: '1', cells: [{ text: 'a' }] },
          { r: '4000000000', cells: [] },
        ],
      },
    ]);
    expect((await readAll(fileOf(blankFar))).error).toBeUndefined();
    const long = buildXlsx([
      { name: 'S', rows: [{ cells: [{ r: 'C1', text: 'y'.repeat(MAX_CELL_CHARACTERS + 1) }] }] },
    ]);
    const refusal = refusalOf((await readAll(fileOf(long))).error);
    expect(refusal).toMatchObject({ code: 'import.cell-too-long', status: 422 });
    expect((refusal as AppError).extra).toMatchObject({ row: 1, column: 'C' });
  });

  it('counts cells without a reference, so a row of unnamed cells stops at the limit too', async () => {
    const cells = Array.from({ length: 201 }, (_, i) => ({ text: String(i) }));
    const { error, widest } = await readAll(fileOf(buildXlsx([{ name: 'S', rows: [{ cells }] }])));
    expect(widest).toBe(0);
    expect(error).toMatchObject({ kind: 'columns', cell: 'GS1' });
    const fits = await readAll(
      fileOf(buildXlsx([{ name: 'S', rows: [{ cells: cells.slice(1) }] }])),
    );
    expect(fits).toMatchObject({ widest: 200, error: undefined });
  });

  it('checks CSV fields as they are parsed: a value past the last column, a line of commas, a huge field', async () => {
    const wide = await readAll(fileOf(`a,b\n1${',x'.repeat(200)}\n`));
    expect(wide.error).toMatchObject({ kind: 'columns', cell: 'GS2', row: 2 });
    // Trailing blank fields are harmless up to Excel's width; a line of a million commas is not.
    expect((await readAll(fileOf(`a,b\n1,2${','.repeat(300)}\n`))).error).toBeUndefined();
    const before = process.memoryUsage().heapUsed;
    const commas = await readAll(fileOf(`a,b\n${','.repeat(4_000_000)}\n`));
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * MiB);
    expect(commas.error).toMatchObject({ kind: 'columns', cell: 'XFE2' });
    const huge = await readAll(fileOf(`a,b\n"${'z'.repeat(MAX_CELL_CHARACTERS + 10)}",1\n`));
    expect(refusalOf(huge.error)).toMatchObject({ code: 'import.cell-too-long' });
    const past = await readAll(fileOf('a\n1\n2\n3\n'), { maxColumns: 5, maxRows: 3 });
    expect(past.error).toMatchObject({ kind: 'rows', cell: 'A4' });
  });

  it('survives any cell reference, row number and size with bounded memory (fuzz)', async () => {
    const limits: SheetLimits = { maxColumns: 50, maxRows: 5000 };
    // Mostly near the limits (either side), sometimes absurd: long references, huge numbers.
    const column = fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 0, max: 52 }).map(columnLetter) },
      {
        weight: 1,
        arbitrary: fc
          .array(fc.constantFrom(...'ABXYZ'), { minLength: 3, maxLength: 12 })
          .map((l) => l.join('')),
      },
    );
    const rowNumber = fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 1, max: 5010 }).map(String) },
      { weight: 1, arbitrary: fc.constantFrom('99999999999999999999', '1e9', '-3', '0x10', '') },
    );
    const reference = fc.oneof(
      { weight: 12, arbitrary: fc.tuple(column, rowNumber).map(([l, d]) => l + d) },
      { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
      { weight: 1, arbitrary: fc.constant(undefined) },
    );
    const text = fc.oneof(
      {
        weight: 40,
        arbitrary: fc.string({ unit: fc.constantFrom(...'ab 1<&"é'), maxLength: 20 }),
      },
      { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
      {
        weight: 1,
        arbitrary: fc.integer({ min: 32_000, max: 33_000 }).map((n) => 'w'.repeat(n)),
      },
    );
    const row: fc.Arbitrary<XlsxRow> = fc.record({
      r: fc.option(rowNumber, { nil: undefined }),
      cells: fc.array(fc.record({ r: reference, text }), { maxLength: 6 }),
    });
    const workbook = fc.array(row, { minLength: 1, maxLength: 8 });

    const baseline = process.memoryUsage().heapUsed;
    let peak = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(workbook, async (rows) => {
        const result = await readAll(fileOf(buildXlsx([{ name: 'Fuzz', rows }])), limits);
        peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
        // The only way reading ends early is a typed refusal that becomes a 4xx.
        if (result.error !== undefined) {
          expect(result.error instanceof SheetLimitError || result.error instanceof XlsxError).toBe(
            true,
          );
          const refusal = refusalOf(result.error);
          expect(refusal).toBeInstanceOf(AppError);
          expect((refusal as AppError).status).toBeGreaterThanOrEqual(400);
          expect((refusal as AppError).status).toBeLessThan(500);
          refused++;
          return;
        }
        expect(result.widest).toBeLessThanOrEqual(limits.maxColumns);
        expect(result.highest).toBeLessThanOrEqual(limits.maxRows);
        // A cell named past the last column can never be read without a refusal.
        const named = rows.flatMap((r) => r.cells.map((c) => columnIndexOf(c.r ?? '')));
        expect(named.every((i) => i < limits.maxColumns)).toBe(true);
      }),
      { seed: 20261128, numRuns: 300 },
    );
    console.info(
      `xlsx fuzz: 300 workbooks, ${refused} refused, heap growth peak ${Math.round(peak / MiB)} MiB`,
    );
    const read = 300 - refused;
    expect(refused).toBeGreaterThan(30);
    expect(read).toBeGreaterThan(30);
    expect(peak).toBeLessThan(128 * MiB);
  }, 30_000);
});

describe('the CSV guard', () => {
  /** The records csv-parse builds from the chunks, through the guard; or the guard's refusal. */
  async function parsed(chunks: string[], maxFields: number, maxFieldLength: number) {
    const guard = new CsvGuard(',', { sheet: 'S', maxFields, maxFieldLength });
    const parser = parse({ relax_column_count: true, relax_quotes: true, bom: true });
    guard.on('error', (error) => parser.destroy(error));
    Readable.from(chunks).pipe(guard).pipe(parser);
    const records: string[][] = [];
    try {
      for await (const record of parser as AsyncIterable<string[]>) records.push(record);
      return { records, refused: undefined };
    } catch (error) {
      return { records, refused: error };
    }
  }

  it('never lets csv-parse build a record past its limits, however quotes, line ends and chunks fall (fuzz)', async () => {
    const text = fc.string({ unit: fc.constantFrom(...'ab,,,"\r\n '), maxLength: 60 });
    const cuts = fc.array(fc.integer({ min: 1, max: 59 }), { maxLength: 4 });
    let refusals = 0;
    await fc.assert(
      fc.asyncProperty(text, cuts, async (csv, at) => {
        const points = [...new Set(at.filter((n) => n < csv.length))].sort((a, b) => a - b);
        const chunks = [0, ...points].map((from, i) => csv.slice(from, points[i] ?? csv.length));
        const { records, refused } = await parsed(chunks.filter(Boolean), 4, 6);
        if (refused !== undefined) {
          // The guard's refusal is typed; csv-parse's own complaints (a stray quote) pass through.
          if (refused instanceof SheetLimitError) refusals++;
          return;
        }
        for (const record of records) {
          expect(record.length).toBeLessThanOrEqual(4);
          for (const field of record) expect(field.length).toBeLessThanOrEqual(6);
        }
      }),
      { seed: 20261128, numRuns: 2000 },
    );
    expect(refusals).toBeGreaterThan(100);
  });

  it('lets through what fits, unchanged, across chunks', async () => {
    const csv = 'a,"b,""c""",d\r\n"x\ny",,\r\n';
    const { records, refused } = await parsed([csv.slice(0, 7), csv.slice(7)], 3, 10);
    expect(refused).toBeUndefined();
    expect(records).toEqual([
      ['a', 'b,"c"', 'd'],
      ['x\ny', '', ''],
    ]);
  });
});

describe('column references', () => {
  it('reads letters only, and saturates instead of overflowing', () => {
    expect(columnIndexOf('ZZZZZZZ2')).toBe(8_353_082_581);
    expect(columnIndexOf('1A')).toBe(-1);
    expect(columnIndexOf('Z'.repeat(500))).toBe(Number.MAX_SAFE_INTEGER - 1);
    expect(columnLetter(columnIndexOf('GR9'))).toBe('GR');
  });
});
