import type { KeyboardEvent } from 'react';
import { displayValue } from './form-model.js';
import type { GridCursor, GridEdits, GridView, GridWrites } from './grid-parts.js';
import { moveFor } from './grid-selection.js';
import type { CellEditing } from './use-cell-editing.js';
import type { FieldSpec } from './form-model.js';

/**
 * The grid's keyboard: on the grid, Ctrl+Z/Y undo and redo and Ctrl+D fills down; on a cell, the
 * arrows (with Shift to select) move, Enter or F2 edits, Delete clears and typing starts an edit.
 */
export function useGridKeys(
  fields: readonly FieldSpec[],
  readOnly: boolean | undefined,
  {
    cursor,
    view,
    writes,
    edits,
    cell,
  }: {
    cursor: GridCursor;
    view: GridView;
    writes: GridWrites;
    edits: GridEdits;
    cell: CellEditing;
  },
) {
  const { rows } = view;
  const { editing, setEditing } = cell;

  const onGridKey = (event: KeyboardEvent<HTMLDivElement>) => {
    if (editing || readOnly || !(event.ctrlKey || event.metaKey)) return;
    const key = event.key.toLowerCase();
    if (key === 'z' || key === 'y') {
      event.preventDefault();
      void (key === 'y' || event.shiftKey ? writes.redo() : writes.undo());
    } else if (key === 'd') {
      event.preventDefault();
      edits.fillDown();
    }
  };

  const onCellKey = (event: KeyboardEvent<HTMLDivElement>, row: number, col: number) => {
    if (editing) return;
    // Moves start from the active cell, not from the cell the key reached: a second Shift+Down
    // pressed before the focus has followed the first still extends from where the first ended.
    const from = { row: cursor.row, col: cursor.col };
    const move = moveFor(event, from, { rows: rows.length, cols: fields.length });
    if (move) {
      event.preventDefault();
      cursor.focusCell(move.row, move.col, event.shiftKey);
      return;
    }
    if (event.key === 'Escape' && cursor.hasAnchor) {
      cursor.clearAnchor();
      return;
    }
    if (readOnly) return;
    const record = rows[row];
    const field = fields[col];
    if (!record || !field) return;
    if (event.key === 'Enter' || event.key === 'F2') {
      event.preventDefault();
      setEditing({ value: displayValue(record.values[field.id]), all: false });
    } else if (event.key === 'Delete' || event.key === 'Backspace') {
      event.preventDefault();
      if (cursor.selected > 1) edits.setAll(null);
      else setEditing({ value: '', all: false });
    } else if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      setEditing({ value: event.key, all: false });
    }
  };

  return { onGridKey, onCellKey };
}
