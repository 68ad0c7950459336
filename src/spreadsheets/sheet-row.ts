/** One row of a sheet: its number as the spreadsheet shows it (from 1) and its cells as text. */
export interface SheetRow {
  number: number;
  cells: string[];
}

/** A row with nothing but blanks, which imports skip. */
export const isBlankRow = (cells: readonly string[]) => cells.every((c) => c.trim() === '');
