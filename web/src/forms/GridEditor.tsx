import { CellEditor } from './CellEditor.js';
import type { FieldSpec } from './form-model.js';
import type { GridCursor } from './grid-parts.js';
import type { CellEditing } from './use-cell-editing.js';
import { plural } from './use-planned-edits.js';

/**
 * The editor over the active cell: Enter commits and moves down, Tab across, Escape cancels, and
 * leaving it commits.
 */
export function GridEditor({
  field,
  cursor,
  cell,
}: {
  field: FieldSpec;
  cursor: GridCursor;
  cell: CellEditing;
}) {
  const { editing, setEditing, draftProblem, commit } = cell;
  if (!editing) return null;
  const row = cursor.row;
  return (
    <CellEditor
      label={
        editing.all
          ? `${field.label}, for ${plural(cursor.selected, 'selected cell')}`
          : `${field.label}, row ${row + 1}`
      }
      value={editing.value}
      invalid={draftProblem !== undefined}
      onChange={(value) => setEditing({ ...editing, value })}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          setEditing(null);
          cursor.focusCell(row, cursor.col);
        } else if (e.key === 'Enter') {
          e.preventDefault();
          void commit(editing.value, { row: row + 1, col: cursor.col });
        } else if (e.key === 'Tab') {
          e.preventDefault();
          void commit(editing.value, { row, col: cursor.col + (e.shiftKey ? -1 : 1) });
        }
      }}
      onBlur={() => void commit(editing.value, { row, col: cursor.col })}
    />
  );
}
