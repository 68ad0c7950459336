import { useRef, useState } from 'react';
import { displayValue } from './form-model.js';
import type {
  CellDraft,
  GridBasics,
  GridCursor,
  GridEdits,
  GridView,
  GridWrites,
} from './grid-parts.js';
import { findingOf } from './GridRow.js';
import { saveRecord } from './save-record.js';
import { useValueChecks } from './value-checks-loader.js';

/**
 * Typing into a cell: the draft, the server's check of it as it is typed, and its commit (one
 * save of the active cell, undoable, or the same value for every selected cell).
 */
export function useCellEditing(
  grid: GridBasics,
  cursor: GridCursor,
  view: GridView,
  writes: GridWrites,
  edits: GridEdits,
) {
  const { api, model, entity, onChange } = grid;
  const [editing, setEditingState] = useState<CellDraft | null>(null);
  const editingRef = useRef(false);
  const setEditing = (next: CellDraft | null) => {
    editingRef.current = next !== null;
    setEditingState(next);
  };
  const activeRecord = cursor.record;
  const activeField = entity.fields[cursor.col];

  const checks = useValueChecks();
  const draftProblem =
    checks && editing && !editing.all && activeRecord && activeField
      ? model
          .check(checks, entity, activeRecord, {
            ...activeRecord.values,
            [activeField.id]: editing.value,
          })
          .get(activeField.id)
      : undefined;

  const commit = async (value: string, move: { row: number; col: number }) => {
    // Enter, Tab and the blur that follows them commit once.
    if (!editingRef.current || !editing) return;
    editingRef.current = false;
    const all = editing.all;
    setEditing(null);
    const record = activeRecord;
    const field = activeField;
    const row = cursor.row;
    if (all) {
      cursor.focusCell(cursor.row, cursor.col, true);
      edits.setAll(value);
      return;
    }
    cursor.focusCell(move.row, move.col);
    if (!record || !field || displayValue(record.values[field.id]) === value) return;
    view.pin([record.id]);
    await writes.run(async () => {
      const after = value === '' ? null : value;
      const saved = await saveRecord(api, model.context.acquisition.id, record, {
        [field.id]: after,
      });
      onChange({ saved: [saved] });
      writes.keepEdit({
        label: `${field.label} on row ${row + 1}`,
        changes: [
          { recordId: record.id, field: field.id, before: record.values[field.id] ?? null, after },
        ],
        created: [],
      });
      const problem = findingOf(saved, field.id);
      return problem
        ? `${field.label} saved on row ${row + 1}, with a problem: ${problem.message}`
        : `${field.label} saved on row ${row + 1}.`;
    });
  };

  return { editing, setEditing, draftProblem, commit };
}

/** The grid's cell editing (use-cell-editing.ts). */
export type CellEditing = ReturnType<typeof useCellEditing>;
