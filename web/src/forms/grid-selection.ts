/**
 * The grid's selection as a spreadsheet has it: an anchor cell and an active cell, each held by
 * record id (not by row index, which moves when a filter or a save reorders the rows), and the
 * rectangle between them as row and column indexes of the rows on screen.
 */
export interface CellRef {
  recordId: string;
  col: number;
}

export interface CellRange {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** The rectangle from the anchor to the active cell; one cell when there is no anchor. */
export function selectionRange(
  active: { row: number; col: number },
  anchor: { row: number; col: number } | null,
): CellRange {
  const from = anchor ?? active;
  return {
    top: Math.min(from.row, active.row),
    bottom: Math.max(from.row, active.row),
    left: Math.min(from.col, active.col),
    right: Math.max(from.col, active.col),
  };
}

/** How many cells a range covers. */
export function rangeSize(range: CellRange): number {
  return (range.bottom - range.top + 1) * (range.right - range.left + 1);
}

/** Whether a cell is inside a range. */
export function inRange(range: CellRange, row: number, col: number): boolean {
  return row >= range.top && row <= range.bottom && col >= range.left && col <= range.right;
}

export interface MoveKey {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
}

/**
 * Where a navigation key takes the active cell, clamped to the grid: arrows, Page Up/Down, Home and
 * End within the row, Ctrl+Home and Ctrl+End to the first and last cell. Null for any other key.
 */
export function moveFor(
  event: MoveKey,
  at: { row: number; col: number },
  size: { rows: number; cols: number },
): { row: number; col: number } | null {
  const { row, col } = at;
  const ctrl = event.ctrlKey || event.metaKey;
  const moves: Record<string, [number, number]> = {
    ArrowUp: ctrl ? [0, col] : [row - 1, col],
    ArrowDown: ctrl ? [size.rows - 1, col] : [row + 1, col],
    ArrowLeft: ctrl ? [row, 0] : [row, col - 1],
    ArrowRight: ctrl ? [row, size.cols - 1] : [row, col + 1],
    PageDown: [row + 10, col],
    PageUp: [row - 10, col],
    Home: ctrl ? [0, 0] : [row, 0],
    End: ctrl ? [size.rows - 1, size.cols - 1] : [row, size.cols - 1],
  };
  const move = moves[event.key];
  if (!move) return null;
  return {
    row: Math.max(0, Math.min(size.rows - 1, move[0])),
    col: Math.max(0, Math.min(size.cols - 1, move[1])),
  };
}

/**
 * Cells as a spreadsheet reads them from the clipboard: tab between cells, a line per row, a cell
 * with a tab, a line break or a quote in quotes (doubled inside), as Excel writes them.
 */
export function toTsv(cells: string[][]): string {
  const quote = (cell: string) =>
    /[\t\r\n"]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
  return cells.map((row) => row.map(quote).join('\t')).join('\r\n');
}
