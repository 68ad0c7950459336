import { useEffect, useRef, useState } from 'react';
import type { Api, ApiRecord } from '../api.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import type { FieldSpec, FormEntity, FormModel } from './form-model.js';
import type { GridCursor, GridEdits, GridView, GridWrites } from './grid-parts.js';
import { GridBody } from './GridBody.js';
import { GridEditor } from './GridEditor.js';
import { findingOf } from './GridRow.js';
import { GridToolbar } from './GridToolbar.js';
import { RecordHistory } from './RecordHistory.js';
import { useCellEditing, type CellEditing } from './use-cell-editing.js';
import { useGridCursor } from './use-grid-cursor.js';
import { useGridFocus } from './use-grid-focus.js';
import { useGridKeys } from './use-grid-keys.js';
import { useGridRows } from './use-grid-rows.js';
import { useGridView } from './use-grid-view.js';
import { useGridWrites } from './use-grid-writes.js';
import { usePlannedEdits } from './use-planned-edits.js';
import './record-grid.css';

export interface RecordGridProps {
  api: Api;
  model: FormModel;
  entity: FormEntity;
  records: ApiRecord[];
  /** Replaces records by id (saved ones), appends new ones, drops deleted ones. */
  onChange: (change: { saved?: ApiRecord[]; deleted?: string[] }) => void;
  readOnly?: boolean;
  /** The record and field to bring into view (from a finding). */
  focus?: { recordId: string; field: string } | undefined;
  /** Offer the active row's history (staff). */
  showHistory?: boolean;
}

/**
 * Many records of one entity as a grid, like a spreadsheet: virtualised (only the rows in view are
 * in the page), edited in place with the server's checks as you type, a range selected with Shift,
 * copied as TSV, filled down, a block pasted in one all-or-nothing write (asking first when it
 * replaces values), every edit undoable, rows added and deleted, and a filter by problem (a finding
 * or a required answer missing).
 */
export function RecordGrid(props: RecordGridProps) {
  const { api, model, entity, records, onChange, readOnly } = props;
  const fields = entity.fields;
  const view = useGridView(model, entity, records);
  const { rows } = view;
  const writes = useGridWrites({
    api,
    acquisitionId: model.context.acquisition.id,
    entity: entity.id,
    records,
    onChange,
    onWritten: view.pin,
  });
  const cursor = useGridCursor(rows, fields.length);
  const { range, selected } = cursor;
  const edits = usePlannedEdits({ rows, fields, range, selected, readOnly, writes });
  const cell = useCellEditing(props, cursor, view, writes, edits);
  const rowActions = useGridRows(props, cursor, view, writes, edits);
  const keys = useGridKeys(fields, readOnly, { cursor, view, writes, edits, cell });
  const [historyOf, setHistoryOf] = useState<ApiRecord | null>(null);

  // Marks for `npm run bench:ui`: the first screen of rows painted (after the frame, not before).
  const marked = useRef(false);
  useEffect(() => {
    if (marked.current || rows.length === 0) return;
    marked.current = true;
    requestAnimationFrame(() => setTimeout(() => performance.mark('intake:grid-first-rows'), 0));
  }, [rows.length]);

  // A cell to bring into view and focus: the finding the page was opened at, or a row just added.
  const added = rowActions.added;
  useGridFocus(
    added ? { recordId: added, field: fields[0]?.id ?? '' } : props.focus,
    records,
    fields,
    view,
    cursor,
  );

  const activeField = fields[cursor.col];
  const editor =
    cell.editing && activeField ? (
      <GridEditor field={activeField} cursor={cursor} cell={cell} />
    ) : null;
  return (
    <section className="grid-section" aria-label={`${entity.name} records`}>
      <RecordGridToolbar
        {...props}
        parts={{ view, writes, cursor, edits, cell, rowActions }}
        history={
          props.showHistory
            ? {
                open: historyOf !== null,
                toggle: () => setHistoryOf(historyOf ? null : (cursor.record ?? null)),
              }
            : null
        }
      />
      <GridBody
        model={model}
        entity={entity}
        readOnly={readOnly}
        cursor={cursor}
        view={view}
        writes={writes}
        edits={edits}
        cell={cell}
        editor={editor}
        {...keys}
      />
      <GridMessage cursor={cursor} field={activeField} cell={cell} writes={writes} />
      {edits.confirm ? (
        <ConfirmDialog {...edits.confirm} onCancel={() => edits.setConfirm(null)} />
      ) : null}
      {historyOf ? (
        <RecordHistory
          api={api}
          model={model}
          entity={entity}
          record={records.find((r) => r.id === historyOf.id) ?? historyOf}
        />
      ) : null}
    </section>
  );
}

/** The toolbar over the grid, wired to the grid's parts. */
function RecordGridToolbar({
  entity,
  records,
  readOnly,
  parts: { view, writes, cursor, edits, cell, rowActions },
  history,
}: RecordGridProps & {
  parts: {
    view: GridView;
    writes: GridWrites;
    cursor: GridCursor;
    edits: GridEdits;
    cell: CellEditing;
    rowActions: ReturnType<typeof useGridRows>;
  };
  history: { open: boolean; toggle: () => void } | null;
}) {
  return (
    <GridToolbar
      entity={entity}
      total={records.length}
      filter={view.filter}
      onFilter={view.setFilter}
      withProblems={view.withProblems}
      problemFields={view.problemFields}
      stale={view.stale}
      onRefresh={view.refresh}
      readOnly={readOnly}
      busy={writes.busy}
      activeRow={cursor.record ? cursor.row + 1 : null}
      selected={cursor.selected}
      onAdd={() => void rowActions.addRow()}
      onDelete={rowActions.deleteRow}
      onFillDown={edits.fillDown}
      onSetAll={() => cell.setEditing({ value: '', all: true })}
      undoLabel={writes.undoLabel}
      redoLabel={writes.redoLabel}
      onUndo={() => void writes.undo()}
      onRedo={() => void writes.redo()}
      history={history}
    />
  );
}

/** Under the grid: the draft's problem, the active cell's finding, or what the last write did. */
function GridMessage({
  cursor,
  field,
  cell,
  writes,
}: {
  cursor: GridCursor;
  field: FieldSpec | undefined;
  cell: CellEditing;
  writes: GridWrites;
}) {
  const { draftProblem } = cell;
  const finding = cursor.record && field ? findingOf(cursor.record, field.id) : undefined;
  return (
    <p id="grid-message" className={draftProblem ? 'error' : 'grid-message'}>
      {draftProblem
        ? `${field?.label ?? ''}: ${draftProblem}`
        : finding && field
          ? `Row ${cursor.row + 1}, ${field.label}: ${finding.message}`
          : writes.message}
    </p>
  );
}
