import { open } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { detectCsvShape, readCsvRows, type CsvShape } from './read-csv.js';
import { XlsxError, XlsxWorkbook, type UnzipLimits } from './read-xlsx.js';
import type { SheetLimits } from './sheet-limits.js';
import type { SheetRow } from './sheet-row.js';

/** One sheet of an uploaded table: a CSV file is one sheet, a workbook has one per tab. */
export interface TableSheet {
  name: string;
  /** Streams the rows; may be called again to read them from the start. */
  rows(): AsyncGenerator<SheetRow>;
}

export interface OpenedTable {
  format: 'csv' | 'xlsx';
  csv?: CsvShape;
  sheets: TableSheet[];
  close(): void;
}

/** A file that is neither CSV nor XLSX, or a legacy format Intake does not read. */
export class UnsupportedFileError extends Error {}

/**
 * Opens an uploaded file by its content (not its name): XLSX if it is a zip package, else CSV.
 * Its sheets' rows are read within `limits` (see `SheetLimits`).
 */
export async function openTable(
  path: string,
  fileName: string,
  limits: UnzipLimits & SheetLimits,
): Promise<OpenedTable> {
  const magic = Buffer.alloc(8);
  const handle = await open(path, 'r');
  try {
    await handle.read(magic, 0, 8, 0);
  } finally {
    await handle.close();
  }
  if (magic.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) {
    const workbook = await XlsxWorkbook.open(path, limits);
    return {
      format: 'xlsx',
      sheets: workbook.sheets.map((sheet) => ({
        name: sheet.name,
        rows: () => workbook.rows(sheet),
      })),
      close: () => workbook.close(),
    };
  }
  if (magic.subarray(0, 4).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0]))) {
    throw new UnsupportedFileError(
      'this is an old Excel 97-2003 (.xls) file; save it as .xlsx or .csv and upload it again',
    );
  }
  if (magic.subarray(0, 4).equals(Buffer.from('%PDF'))) {
    throw new UnsupportedFileError('this is a PDF; upload the spreadsheet as .xlsx or .csv');
  }
  const csv = await detectCsvShape(path);
  const name = basename(fileName, extname(fileName)) || 'CSV';
  return {
    format: 'csv',
    csv,
    sheets: [
      {
        name,
        rows: () =>
          readCsvRows(path, csv, {
            sheet: name,
            maxColumns: limits.maxColumns,
            maxRows: limits.maxRows,
          }),
      },
    ],
    close: () => undefined,
  };
}

export { XlsxError };
