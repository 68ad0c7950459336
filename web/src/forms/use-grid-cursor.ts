import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, useState } from 'react';
import type { ApiRecord } from '../api.js';
import { rangeSize, selectionRange } from './grid-selection.js';
import { ROW_HEIGHT } from './GridRow.js';

/** A cell held by its record's id, so it stays the same cell when rows come and go. */
interface CellAt {
  recordId: string | null;
  col: number;
}

/**
 * The grid's active cell and selection, held by record id: the focus ring and what typing edits
 * are always the same row, whatever a filter or a save does to the row indexes. Also the
 * virtualiser, which focusing a cell scrolls.
 */
export function useGridCursor(rows: readonly ApiRecord[], colCount: number) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  const [active, setActive] = useState<CellAt>({ recordId: null, col: 0 });
  const [anchor, setAnchor] = useState<CellAt | null>(null);

  // The active row by its record; when that record left the view, the row that took its place.
  const lastRow = useRef(0);
  const found = rows.findIndex((r) => r.id === active.recordId);
  const activeRow = found >= 0 ? found : Math.min(lastRow.current, rows.length - 1);
  if (found >= 0) lastRow.current = found;
  const activeRecord = rows[activeRow];
  const anchorRow = anchor ? rows.findIndex((r) => r.id === anchor.recordId) : -1;
  const range = selectionRange(
    { row: activeRow, col: active.col },
    anchor && anchorRow >= 0 ? { row: anchorRow, col: anchor.col } : null,
  );

  /** Makes a cell active; with `extend`, the selection grows from where it was anchored. */
  const selectCell = (row: number, col: number, extend: boolean) => {
    const record = rows[row];
    if (!record) return;
    if (extend) setAnchor(anchor ?? { recordId: activeRecord?.id ?? null, col: active.col });
    else setAnchor(null);
    setActive({ recordId: record.id, col });
  };

  /** Makes a cell active, scrolls it into view and gives it the keyboard focus. */
  const focusCell = (row: number, col: number, extend = false) => {
    const r = Math.max(0, Math.min(rows.length - 1, row));
    const c = Math.max(0, Math.min(colCount - 1, col));
    const record = rows[r];
    if (!record) return;
    selectCell(r, c, extend);
    // The row is drawn once the grid has scrolled to it, which can take a few frames (and a grid
    // just drawn may not take the scroll at once): ask again until the cell is there.
    const selector = `[data-record="${CSS.escape(record.id)}"] [data-col="${c}"]`;
    const focusWhenDrawn = (frames: number) => {
      const cell = scrollRef.current?.querySelector<HTMLElement>(selector);
      if (cell) {
        cell.focus();
        return;
      }
      virtualizer.scrollToIndex(r, { align: 'auto' });
      if (frames > 0) requestAnimationFrame(() => focusWhenDrawn(frames - 1));
    };
    virtualizer.scrollToIndex(r, { align: 'auto' });
    requestAnimationFrame(() => focusWhenDrawn(30));
  };

  return {
    scrollRef,
    virtualizer,
    col: active.col,
    row: activeRow,
    record: activeRecord,
    hasAnchor: anchor !== null,
    range,
    selected: rangeSize(range),
    selectCell,
    focusCell,
    clearAnchor: () => setAnchor(null),
  };
}
