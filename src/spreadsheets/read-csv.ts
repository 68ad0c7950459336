import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import {
  checkCell,
  MAX_CELL_CHARACTERS,
  SheetLimitError,
  type SheetLimits,
} from './sheet-limits.js';
import type { SheetRow } from './sheet-row.js';
import { CsvGuard } from './csv-guard.js';

export type TextEncoding = 'utf8' | 'utf16le' | 'utf16be' | 'windows1252';

/** What a text file's first bytes say about how to read it. */
export interface CsvShape {
  encoding: TextEncoding;
  delimiter: ',' | ';' | '\t';
}

const SAMPLE_BYTES = 64 * 1024;

/**
 * The encoding of a text file from its first bytes: a byte-order mark says it outright; NUL bytes
 * in every other place mean UTF-16 without one; otherwise UTF-8 if the bytes are valid UTF-8,
 * else Windows-1252 (what Excel on Windows writes as "CSV").
 */
export function detectEncoding(sample: Buffer): TextEncoding {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf8';
  if (sample[0] === 0xff && sample[1] === 0xfe) return 'utf16le';
  if (sample[0] === 0xfe && sample[1] === 0xff) return 'utf16be';
  const pairs = Math.min(sample.length >> 1, 512);
  let oddNul = 0;
  let evenNul = 0;
  for (let i = 0; i < pairs; i++) {
    if (sample[2 * i] === 0) evenNul++;
    if (sample[2 * i + 1] === 0) oddNul++;
  }
  if (pairs > 0 && oddNul > pairs * 0.4 && evenNul === 0) return 'utf16le';
  if (pairs > 0 && evenNul > pairs * 0.4 && oddNul === 0) return 'utf16be';
  // A sample may end inside a character: leave its last incomplete sequence out of the test.
  let end = sample.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = sample[end - back]!;
    if ((byte & 0xc0) === 0xc0) {
      end -= back;
      break;
    }
    if ((byte & 0x80) === 0) break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, end));
    return 'utf8';
  } catch {
    return 'windows1252';
  }
}

/** The delimiter of the first lines: the one of `,`, `;` and tab found most often outside quotes. */
export function detectDelimiter(text: string): CsvShape['delimiter'] {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  let lines = 0;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === ',' || ch === ';' || ch === '\t')) counts[ch]++;
    else if (!quoted && ch === '\n' && ++lines >= 20) break;
  }
  const best = (Object.entries(counts) as [CsvShape['delimiter'], number][]).sort(
    (a, b) => b[1] - a[1],
  )[0]!;
  return best[1] > 0 ? best[0] : ',';
}

/** Reads the start of a file and works out its encoding and delimiter. */
export async function detectCsvShape(path: string): Promise<CsvShape> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SAMPLE_BYTES, 0);
    const sample = buffer.subarray(0, bytesRead);
    const encoding = detectEncoding(sample);
    return { encoding, delimiter: detectDelimiter(iconv.decode(sample, encoding)) };
  } finally {
    await handle.close();
  }
}

/** A CSV file's problem that makes it unreadable. */
export class CsvFormatError extends Error {}

/** The limits of an uploaded sheet, and its name for the messages that refuse it. */
export interface CsvBounds extends SheetLimits {
  sheet: string;
}

/** The widest sheet Excel makes (column XFD): blank fields are tolerated up to here, no further. */
const EXCEL_COLUMNS = 16_384;

/**
 * Streams a CSV file's rows as text, as they appear, numbered as a spreadsheet numbers them
 * (a quoted cell with line breaks stays on one row). Memory does not grow with the file. With
 * `bounds` (an upload), a record with more fields than Excel's width, or a field longer than Excel
 * allows, is refused as the text streams in, before the parser builds it (see `CsvGuard`); a
 * value past the column or row limit is refused as its row is read. Each throws `SheetLimitError`.
 */
export async function* readCsvRows(
  path: string,
  shape: CsvShape,
  bounds?: CsvBounds,
): AsyncGenerator<SheetRow> {
  const file = createReadStream(path);
  const decoder = iconv.decodeStream(shape.encoding);
  const parser = parse({
    delimiter: shape.delimiter,
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
  });
  const guard = bounds
    ? new CsvGuard(shape.delimiter, {
        sheet: bounds.sheet,
        maxFields: EXCEL_COLUMNS,
        maxFieldLength: MAX_CELL_CHARACTERS,
      })
    : undefined;
  guard?.on('error', (error) => parser.destroy(error));
  file.on('error', (error) => parser.destroy(error));
  if (guard) file.pipe(decoder).pipe(guard).pipe(parser);
  else file.pipe(decoder).pipe(parser);
  let number = 0;
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      number++;
      if (bounds) checkValues(bounds, number, cells);
      yield { number, cells };
    }
  } catch (error) {
    if (error instanceof SheetLimitError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new CsvFormatError(`the file cannot be read as CSV after row ${number}: ${reason}`);
  } finally {
    file.destroy();
    (decoder as unknown as { destroy(): void }).destroy();
    parser.destroy();
    guard?.destroy();
  }
}

/** The row's last value (blank fields do not count) must be within the column and row limits. */
function checkValues(bounds: CsvBounds, row: number, cells: readonly string[]): void {
  for (let c = cells.length - 1; c >= 0; c--) {
    if (cells[c] !== '') {
      checkCell(bounds, bounds.sheet, row, c);
      return;
    }
  }
}
