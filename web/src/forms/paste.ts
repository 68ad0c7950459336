import { parse } from 'csv-parse/browser/esm/sync';

/**
 * A block of cells as a spreadsheet puts it on the clipboard: rows by line, cells by tab, a cell
 * with a line break in quotes (as Excel and LibreOffice write them). Read with csv-parse, the
 * parser the server's imports use.
 */
export function parseClipboard(text: string): string[][] {
  return parse(text.replace(/\r?\n$/, ''), {
    delimiter: '\t',
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
  });
}
