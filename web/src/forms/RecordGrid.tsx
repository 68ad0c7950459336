import { useEffect, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { Api, ApiRecord } from '../api.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { CellEditor } from './CellEditor.js';
import { displayValue, type FormEntity, type FormModel } from './form-model.js';
import { moveFor } from './grid-selection.js';
import { COLUMN_WIDTH, findingOf, GridRow } from './GridRow.js';
import { GridToolbar } from './GridToolbar.js';
import { RecordHistory } from './RecordHistory.js';
import { saveRecord } from './save-record.js';
import { useGridCursor } from './use-grid-cursor.js';
import { useGridView } from './use-grid-view.js';
import { useGridWrites } from './use-grid-writes.js';
import { plural, usePlannedEdits } from './use-planned-edits.js';
import { useValueChecks } from './value-checks-loader.js';
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
  const acquisitionId = model.context.acquisition.id;
  const fields = entity.fields;
  const view = useGridView(model, entity, records);
  const { rows } = view;
  const writes = useGridWrites({
    api,
    acquisitionId,
    entity: entity.id,
    records,
    onChange,
    onWritten: view.pin,
  });
  const cursor = useGridCursor(rows, fields.length);
  const { range, selected, focusCell } = cursor;
  const activeRow = cursor.row;
  const activeRecord = cursor.record;
  const activeField = fields[cursor.col];
  const edits = usePlannedEdits({ rows, fields, range, selected, readOnly, writes });
  const [editing, setEditingState] = useState<{ value: string; all: boolean } | null>(null);
  const editingRef = useRef(false);
  const setEditing = (next: { value: string; all: boolean } | null) => {
    editingRef.current = next !== null;
    setEditingState(next);
  };
  const [historyOf, setHistoryOf] = useState<ApiRecord | null>(null);

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

  // Marks for `npm run bench:ui`: the first screen of rows painted (after the frame, not before).
  const marked = useRef(false);
  useEffect(() => {
    if (marked.current || rows.length === 0) return;
    marked.current = true;
    requestAnimationFrame(() => setTimeout(() => performance.mark('intake:grid-first-rows'), 0));
  }, [rows.length]);

  // A cell to bring into view and focus: the finding the page was opened at, or a row just added.
  // Each target is focused once, as soon as its row is there.
  const [added, setAdded] = useState<string | null>(null);
  const target = added ? { recordId: added, field: fields[0]?.id ?? '' } : props.focus;
  const focusKey = target ? `${target.recordId}/${target.field}` : '';
  const focused = useRef('');
  useEffect(() => {
    if (!target || focused.current === focusKey) return;
    let row = rows.findIndex((r) => r.id === target.recordId);
    if (row < 0 && view.filter !== 'all') {
      view.setFilter('all');
      row = records.findIndex((r) => r.id === target.recordId);
    }
    if (row < 0) return;
    focused.current = focusKey;
    focusCell(
      row,
      Math.max(
        0,
        fields.findIndex((f) => f.id === target.field),
      ),
    );
    // Only a new target, or its row arriving, moves the focus.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [focusKey, rows]);

  const commit = async (value: string, move: { row: number; col: number }) => {
    // Enter, Tab and the blur that follows them commit once.
    if (!editingRef.current || !editing) return;
    editingRef.current = false;
    const all = editing.all;
    setEditing(null);
    const record = activeRecord;
    const field = activeField;
    const row = activeRow;
    if (all) {
      focusCell(activeRow, cursor.col, true);
      edits.setAll(value);
      return;
    }
    focusCell(move.row, move.col);
    if (!record || !field || displayValue(record.values[field.id]) === value) return;
    view.pin([record.id]);
    await writes.run(async () => {
      const after = value === '' ? null : value;
      const saved = await saveRecord(api, acquisitionId, record, { [field.id]: after });
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

  const addRow = () =>
    writes.run(async () => {
      const created = await api.send<ApiRecord>('POST', `/acquisitions/${acquisitionId}/records`, {
        entity: entity.id,
        values: {},
      });
      onChange({ saved: [created] });
      view.setFilter('all');
      setAdded(created.id);
      return `Row ${records.length + 1} added.`;
    });

  const deleteRow = () => {
    const record = activeRecord;
    if (!record) return;
    const row = activeRow + 1;
    edits.setConfirm({
      title: `Delete row ${row}?`,
      message: `Row ${row} (${entity.name}) and its values are deleted. This cannot be undone.`,
      confirmLabel: `Delete row ${row}`,
      onConfirm: () => {
        edits.setConfirm(null);
        void writes.run(async () => {
          await api.send(
            'DELETE',
            `/acquisitions/${acquisitionId}/records/${record.id}`,
            undefined,
            {
              'if-match': `"${record.version}"`,
            },
          );
          onChange({ deleted: [record.id] });
          return `Row ${row} deleted.`;
        });
      },
    });
  };

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
    const move = moveFor(event, { row, col }, { rows: rows.length, cols: fields.length });
    if (move) {
      event.preventDefault();
      focusCell(move.row, move.col, event.shiftKey);
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
      if (selected > 1) edits.setAll(null);
      else setEditing({ value: '', all: false });
    } else if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      setEditing({ value: event.key, all: false });
    }
  };

  const onCellClick = (event: MouseEvent, row: number, col: number) =>
    cursor.selectCell(row, col, event.shiftKey);

  const editor =
    editing && activeField ? (
      <CellEditor
        label={
          editing.all
            ? `${activeField.label}, for ${plural(selected, 'selected cell')}`
            : `${activeField.label}, row ${activeRow + 1}`
        }
        value={editing.value}
        invalid={draftProblem !== undefined}
        onChange={(value) => setEditing({ ...editing, value })}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            setEditing(null);
            focusCell(activeRow, cursor.col);
          } else if (e.key === 'Enter') {
            e.preventDefault();
            void commit(editing.value, { row: activeRow + 1, col: cursor.col });
          } else if (e.key === 'Tab') {
            e.preventDefault();
            void commit(editing.value, {
              row: activeRow,
              col: cursor.col + (e.shiftKey ? -1 : 1),
            });
          }
        }}
        onBlur={() => void commit(editing.value, { row: activeRow, col: cursor.col })}
      />
    ) : null;

  const activeFinding =
    activeRecord && activeField ? findingOf(activeRecord, activeField.id) : undefined;
  const width = 140 + fields.length * COLUMN_WIDTH;
  return (
    <section className="grid-section" aria-label={`${entity.name} records`}>
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
        activeRow={activeRecord ? activeRow + 1 : null}
        selected={selected}
        onAdd={() => void addRow()}
        onDelete={deleteRow}
        onFillDown={edits.fillDown}
        onSetAll={() => setEditing({ value: '', all: true })}
        undoLabel={writes.undoLabel}
        redoLabel={writes.redoLabel}
        onUndo={() => void writes.undo()}
        onRedo={() => void writes.redo()}
        history={
          props.showHistory
            ? {
                open: historyOf !== null,
                toggle: () => setHistoryOf(historyOf ? null : (activeRecord ?? null)),
              }
            : null
        }
      />
      <div
        ref={cursor.scrollRef}
        className="grid-scroll"
        role="grid"
        aria-label={`${entity.name}: ${rows.length} rows`}
        aria-rowcount={rows.length + 1}
        aria-colcount={fields.length + 1}
        aria-multiselectable="true"
        aria-busy={writes.busy || undefined}
        onKeyDown={onGridKey}
        onCopy={(e) => {
          if (editing) return;
          e.preventDefault();
          e.clipboardData.setData('text/plain', edits.copyText());
          void writes.run(async () => `Copied ${plural(selected, 'cell')}.`);
        }}
        onPaste={(e) => {
          if (editing) return;
          e.preventDefault();
          edits.paste(e.clipboardData.getData('text/plain'));
        }}
      >
        <div className="grid-header" role="row" aria-rowindex={1} style={{ width }}>
          <div className="grid-rowhead" role="columnheader">
            Row
          </div>
          {fields.map((f) => (
            <div key={f.id} className="grid-colhead" role="columnheader" title={f.question}>
              {f.label}
              {f.required === true ? <span aria-hidden="true"> *</span> : null}
            </div>
          ))}
        </div>
        <div style={{ height: cursor.virtualizer.getTotalSize(), width, position: 'relative' }}>
          {cursor.virtualizer.getVirtualItems().map((item) => {
            const record = rows[item.index]!;
            const isActive = item.index === activeRow;
            return (
              <GridRow
                key={record.id}
                model={model}
                entity={entity}
                record={record}
                index={item.index}
                top={item.start}
                width={width}
                activeCol={isActive ? cursor.col : -1}
                range={range}
                missing={view.missing.get(record.id) ?? []}
                editor={isActive ? editor : null}
                onCellClick={onCellClick}
                onCellEdit={(row, col) =>
                  !readOnly &&
                  setEditing({
                    value: displayValue(rows[row]?.values[fields[col]?.id ?? '']),
                    all: false,
                  })
                }
                onCellKey={onCellKey}
              />
            );
          })}
        </div>
      </div>
      <p id="grid-message" className={draftProblem ? 'error' : 'grid-message'}>
        {draftProblem
          ? `${activeField?.label ?? ''}: ${draftProblem}`
          : activeFinding && activeField
            ? `Row ${activeRow + 1}, ${activeField.label}: ${activeFinding.message}`
            : writes.message}
      </p>
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
