import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { messageOf, type Api, type ApiRecord, type Finding } from '../api.js';
import { useAnnounce } from '../components/Announcer.js';
import { displayValue, type FormEntity, type FormModel } from './form-model.js';
import { parseClipboard } from './paste.js';
import { RecordHistory } from './RecordHistory.js';
import { saveRecord } from './save-record.js';

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

const ROW_HEIGHT = 36;
const COLUMN_WIDTH = 170;

type Filter = 'all' | 'problems' | `field:${string}`;

function findingOf(record: ApiRecord, field: string): Finding | undefined {
  return (
    record.findings.find((f) => f.field === field && f.severity === 'blocking') ??
    record.findings.find((f) => f.field === field)
  );
}

/**
 * Many records of one entity as a grid: virtualised (only the rows in view are in the page), edited
 * in place with the server's checks as you type, a block pasted from a spreadsheet in one all-or-
 * nothing write, rows added and deleted, and a filter by finding. Keyboard: arrows move, Enter or
 * typing edits, Enter or Tab saves, Escape cancels, Delete clears a cell.
 */
export function RecordGrid(props: RecordGridProps) {
  const { api, model, entity, records, onChange, readOnly } = props;
  const announce = useAnnounce();
  const acquisitionId = model.context.acquisition.id;
  const [filter, setFilter] = useState<Filter>('all');
  const [active, setActive] = useState({ row: 0, col: 0 });
  const [editing, setEditingState] = useState<{ value: string } | null>(null);
  const editingRef = useRef(false);
  const setEditing = (next: { value: string } | null) => {
    editingRef.current = next !== null;
    setEditingState(next);
  };
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [historyOf, setHistoryOf] = useState<ApiRecord | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const fields = entity.fields;

  const rows = useMemo(() => {
    if (filter === 'all') return records;
    if (filter === 'problems') return records.filter((r) => r.findings.length > 0);
    const field = filter.slice('field:'.length);
    return records.filter((r) => r.findings.some((f) => f.field === field));
  }, [records, filter]);

  const problemFields = useMemo(() => {
    const counts = new Map<string, number>();
    for (const r of records)
      for (const f of r.findings) counts.set(f.field, (counts.get(f.field) ?? 0) + 1);
    return counts;
  }, [records]);
  const withProblems = useMemo(
    () => records.filter((r) => r.findings.length > 0).length,
    [records],
  );

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });

  const activeRecord = rows[active.row];
  const activeField = fields[active.col];
  const draftProblem =
    editing && activeRecord && activeField
      ? model
          .check(entity, activeRecord, { ...activeRecord.values, [activeField.id]: editing.value })
          .get(activeField.id)
      : undefined;

  const focusCell = (row: number, col: number) => {
    const r = Math.max(0, Math.min(rows.length - 1, row));
    const c = Math.max(0, Math.min(fields.length - 1, col));
    setActive({ row: r, col: c });
    // The row is drawn once the grid has scrolled to it, which can take a few frames (and a grid
    // just drawn may not take the scroll at once): ask again until the cell is there.
    const focusWhenDrawn = (frames: number) => {
      const cell = scrollRef.current?.querySelector<HTMLElement>(`[data-cell="${r}:${c}"]`);
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
    if (row < 0 && filter !== 'all') {
      setFilter('all');
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

  const run = async (what: () => Promise<string>) => {
    setBusy(true);
    try {
      const done = await what();
      setMessage(done);
      announce(done);
    } catch (error) {
      const text = `Not saved: ${messageOf(error)}`;
      setMessage(text);
      announce(text, true);
    } finally {
      setBusy(false);
    }
  };

  const commit = async (value: string, move: { row: number; col: number }) => {
    // Enter, Tab and the blur that follows them commit once.
    if (!editingRef.current) return;
    editingRef.current = false;
    setEditing(null);
    const record = activeRecord;
    const field = activeField;
    focusCell(move.row, move.col);
    if (!record || !field || displayValue(record.values[field.id]) === value) return;
    await run(async () => {
      const saved = await saveRecord(api, acquisitionId, record, {
        [field.id]: value === '' ? null : value,
      });
      onChange({ saved: [saved] });
      const problem = findingOf(saved, field.id);
      return problem
        ? `${field.label} saved on row ${active.row + 1}, with a problem: ${problem.message}`
        : `${field.label} saved on row ${active.row + 1}.`;
    });
  };

  const paste = async (text: string) => {
    const block = parseClipboard(text);
    if (block.length === 0 || readOnly) return;
    await run(async () => {
      const ops = block.map((cells, i) => {
        const values: Record<string, unknown> = {};
        cells.forEach((cell, j) => {
          const field = fields[active.col + j];
          if (field) values[field.id] = cell.trim() === '' ? null : cell;
        });
        const record = rows[active.row + i];
        return record
          ? { id: record.id, version: record.version, values }
          : { entity: entity.id, values };
      });
      const saved: ApiRecord[] = [];
      for (let i = 0; i < ops.length; i += 5000) {
        const answer = await api.send<{ items: ApiRecord[] }>(
          'POST',
          `/acquisitions/${acquisitionId}/records/bulk`,
          { records: ops.slice(i, i + 5000) },
        );
        saved.push(...answer.items);
      }
      onChange({ saved });
      const problems = saved.filter((r) => r.findings.some((f) => f.severity === 'blocking'));
      return `Pasted ${block.length} row${block.length === 1 ? '' : 's'}${
        problems.length ? `; ${problems.length} with problems to fix` : ''
      }.`;
    });
  };

  const addRow = () =>
    run(async () => {
      const created = await api.send<ApiRecord>('POST', `/acquisitions/${acquisitionId}/records`, {
        entity: entity.id,
        values: {},
      });
      onChange({ saved: [created] });
      setFilter('all');
      setAdded(created.id);
      return `Row ${records.length + 1} added.`;
    });

  const deleteRow = () => {
    const record = activeRecord;
    if (!record) return;
    if (!window.confirm(`Delete row ${active.row + 1} (${entity.name})?`)) return;
    void run(async () => {
      await api.send('DELETE', `/acquisitions/${acquisitionId}/records/${record.id}`, undefined, {
        'if-match': `"${record.version}"`,
      });
      onChange({ deleted: [record.id] });
      return `Row ${active.row + 1} deleted.`;
    });
  };

  const onCellKey = (event: KeyboardEvent<HTMLDivElement>, row: number, col: number) => {
    if (editing) return;
    const moves: Record<string, [number, number]> = {
      ArrowUp: [row - 1, col],
      ArrowDown: [row + 1, col],
      ArrowLeft: [row, col - 1],
      ArrowRight: [row, col + 1],
      PageDown: [row + 10, col],
      PageUp: [row - 10, col],
      Home: [row, 0],
      End: [row, fields.length - 1],
    };
    const move = moves[event.key];
    if (move) {
      event.preventDefault();
      focusCell(move[0], move[1]);
      return;
    }
    if (readOnly) return;
    const record = rows[row];
    const field = fields[col];
    if (!record || !field) return;
    if (event.key === 'Enter' || event.key === 'F2') {
      event.preventDefault();
      setEditing({ value: displayValue(record.values[field.id]) });
    } else if (event.key === 'Delete' || event.key === 'Backspace') {
      event.preventDefault();
      setEditing({ value: '' });
    } else if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      setEditing({ value: event.key });
    }
  };

  const items = virtualizer.getVirtualItems();
  const width = 140 + fields.length * COLUMN_WIDTH;
  return (
    <section className="grid-section" aria-label={`${entity.name} records`}>
      <div className="grid-toolbar">
        <label>
          Show{' '}
          <select value={filter} onChange={(e) => setFilter(e.target.value as Filter)}>
            <option value="all">All rows ({records.length})</option>
            <option value="problems">Rows with problems ({withProblems})</option>
            {fields
              .filter((f) => problemFields.has(f.id))
              .map((f) => (
                <option key={f.id} value={`field:${f.id}`}>
                  Problems in {f.label} ({problemFields.get(f.id)})
                </option>
              ))}
          </select>
        </label>
        {!readOnly ? (
          <>
            <button type="button" onClick={() => void addRow()} disabled={busy}>
              Add row
            </button>
            <button type="button" onClick={deleteRow} disabled={busy || !activeRecord}>
              Delete row {activeRecord ? active.row + 1 : ''}
            </button>
          </>
        ) : null}
        {props.showHistory ? (
          <button
            type="button"
            disabled={!activeRecord}
            aria-expanded={historyOf !== null}
            onClick={() => setHistoryOf(historyOf ? null : (activeRecord ?? null))}
          >
            {historyOf ? 'Hide history' : `History of row ${activeRecord ? active.row + 1 : ''}`}
          </button>
        ) : null}
        <span className="hint">
          Arrows move · Enter edits · paste a block from a spreadsheet with Ctrl+V
        </span>
      </div>
      <div
        ref={scrollRef}
        className="grid-scroll"
        role="grid"
        aria-label={`${entity.name}: ${rows.length} rows`}
        aria-rowcount={rows.length + 1}
        aria-colcount={fields.length + 1}
        aria-busy={busy || undefined}
        onPaste={(e) => {
          if (editing) return;
          e.preventDefault();
          void paste(e.clipboardData.getData('text/plain'));
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
        <div style={{ height: virtualizer.getTotalSize(), width, position: 'relative' }}>
          {items.map((item) => {
            const record = rows[item.index]!;
            return (
              <div
                key={record.id}
                role="row"
                aria-rowindex={item.index + 2}
                className={`grid-row${record.findings.length ? ' grid-row--problem' : ''}`}
                data-record={record.id}
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT, width }}
              >
                <div className="grid-rowhead" role="rowheader">
                  {item.index + 1}
                  {record.site ? ` · ${model.siteName(record.site)}` : ''}
                </div>
                {fields.map((f, col) => {
                  const isActive = active.row === item.index && active.col === col;
                  const finding = findingOf(record, f.id);
                  if (isActive && editing) {
                    return (
                      <div key={f.id} role="gridcell" className="grid-cell grid-cell--editing">
                        <input
                          autoFocus
                          aria-label={`${f.label}, row ${item.index + 1}`}
                          aria-invalid={draftProblem ? true : undefined}
                          aria-describedby="grid-message"
                          value={editing.value}
                          onChange={(e) => setEditing({ value: e.target.value })}
                          onKeyDown={(e) => {
                            if (e.key === 'Escape') {
                              e.preventDefault();
                              setEditing(null);
                              focusCell(item.index, col);
                            } else if (e.key === 'Enter') {
                              e.preventDefault();
                              void commit(editing.value, { row: item.index + 1, col });
                            } else if (e.key === 'Tab') {
                              e.preventDefault();
                              void commit(editing.value, {
                                row: item.index,
                                col: col + (e.shiftKey ? -1 : 1),
                              });
                            }
                          }}
                          onBlur={() => void commit(editing.value, { row: item.index, col })}
                        />
                      </div>
                    );
                  }
                  const text = displayValue(record.values[f.id]);
                  return (
                    <div
                      key={f.id}
                      role="gridcell"
                      data-cell={`${item.index}:${col}`}
                      data-field={f.id}
                      tabIndex={isActive ? 0 : -1}
                      aria-invalid={finding?.severity === 'blocking' ? true : undefined}
                      className={`grid-cell${finding ? ` grid-cell--${finding.severity}` : ''}`}
                      title={finding?.message}
                      onClick={() => setActive({ row: item.index, col })}
                      onDoubleClick={() => !readOnly && setEditing({ value: text })}
                      onKeyDown={(e) => onCellKey(e, item.index, col)}
                    >
                      {f.sensitivity === 'secret' && text
                        ? '••••'
                        : f.id === entity.siteField && text
                          ? model.siteName(text)
                          : text}
                      {finding ? (
                        <span className="visually-hidden">, problem: {finding.message}</span>
                      ) : null}
                    </div>
                  );
                })}
              </div>
            );
          })}
        </div>
      </div>
      <p id="grid-message" className={draftProblem ? 'error' : 'grid-message'}>
        {draftProblem
          ? `${activeField?.label ?? ''}: ${draftProblem}`
          : activeRecord && activeField && findingOf(activeRecord, activeField.id)
            ? `Row ${active.row + 1}, ${activeField.label}: ${findingOf(activeRecord, activeField.id)!.message}`
            : message}
      </p>
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
