import { columnLetter } from './header-mapping.js';

/**
 * Where a sheet must stop: a reader checks every cell that holds a value against these before it
 * allocates room for it, so that a cell reference such as `ZZZZZZZ2` cannot make it pad a row to
 * millions of cells.
 */
export interface SheetLimits {
  /** Most columns: a cell with a value at column index `maxColumns` or beyond is refused. */
  maxColumns: number;
  /** Highest row number a cell with a value may have. */
  maxRows: number;
}

/** The most characters a cell may hold (Excel's own limit): a reader stops collecting text there. */
export const MAX_CELL_CHARACTERS = 32_767;

/** What a cell went past. */
export type SheetLimitKind = 'columns' | 'rows' | 'cell-length';

/** A cell past a sheet limit; the import refuses the file with a message naming the cell. */
export class SheetLimitError extends Error {
  constructor(
    readonly kind: SheetLimitKind,
    readonly sheet: string,
    readonly row: number,
    /** Zero-based column index (may be huge for a reference such as `ZZZZZZZ2`). */
    readonly column: number,
    /** The cell as the file names it, e.g. `ZZZZZZZ2` (shortened if the file's name is absurd). */
    readonly cell: string,
    readonly limit: number,
  ) {
    super(`cell ${cell} of "${sheet}" is past the ${kind} limit of ${limit}`);
    this.name = 'SheetLimitError';
  }
}

const MAX_REFERENCE_SHOWN = 24;

/** A cell's name for a message: the file's own reference if it has one, else letter and row. */
export function cellName(reference: string | undefined, column: number, row: number): string {
  if (reference !== undefined && reference !== '') {
    return reference.length > MAX_REFERENCE_SHOWN
      ? `${reference.slice(0, MAX_REFERENCE_SHOWN)}…`
      : reference;
  }
  return `${Number.isFinite(column) ? columnLetter(column) : '?'}${row}`;
}

/**
 * Checks a cell that holds a value against the limits; throws `SheetLimitError` when it is past
 * one. Call it before making room for the cell.
 */
export function checkCell(
  limits: SheetLimits,
  sheet: string,
  row: number,
  column: number,
  reference?: string,
): void {
  if (!(column < limits.maxColumns))
    throw new SheetLimitError(
      'columns',
      sheet,
      row,
      column,
      cellName(reference, column, row),
      limits.maxColumns,
    );
  if (!(row <= limits.maxRows))
    throw new SheetLimitError(
      'rows',
      sheet,
      row,
      column,
      cellName(reference, column, row),
      limits.maxRows,
    );
}
