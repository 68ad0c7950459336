import type { Writable } from 'node:stream';
import { readCsvRows } from './read-csv.js';
import { PROBLEMS_HEADER, restoreFormulaText } from './sheet-columns.js';

/**
 * Streams import reports (CSV, one per sheet) into one XLSX workbook. Every cell is written as
 * text with the text number format, so nothing in it runs as a formula, even after editing, and
 * an E.164 `+` stays as it is. Memory does not grow with the report.
 */
export async function writeReportXlsx(
  reports: readonly { name: string; path: string }[],
  out: Writable,
): Promise<void> {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  for (const report of reports) {
    const sheet = workbook.addWorksheet(report.name.slice(0, 31));
    let problemsAt = -1;
    for await (const row of readCsvRows(report.path, { encoding: 'utf8', delimiter: ',' })) {
      const cells = row.cells.map(restoreFormulaText);
      if (problemsAt < 0) problemsAt = cells.indexOf(PROBLEMS_HEADER);
      const added = sheet.addRow(cells);
      added.eachCell((cell, column) => {
        cell.numFmt = '@';
        if (column === problemsAt + 1 && cell.text !== '')
          cell.font = { color: { argb: 'FFC00000' }, bold: cells[problemsAt] === PROBLEMS_HEADER };
      });
      added.commit();
    }
    sheet.commit();
  }
  await workbook.commit();
}
