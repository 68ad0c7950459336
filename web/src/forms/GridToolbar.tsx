import type { FormEntity } from './form-model.js';
import type { GridFilter } from './use-grid-view.js';

export interface GridToolbarProps {
  entity: FormEntity;
  total: number;
  filter: GridFilter;
  onFilter: (filter: GridFilter) => void;
  withProblems: number;
  problemFields: ReadonlyMap<string, number>;
  /** Edited rows kept in view that no longer match the filter. */
  stale: number;
  onRefresh: () => void;
  readOnly: boolean | undefined;
  busy: boolean;
  /** The active row's number, or null when there is none. */
  activeRow: number | null;
  /** How many cells are selected. */
  selected: number;
  onAdd: () => void;
  onDelete: () => void;
  onFillDown: () => void;
  onSetAll: () => void;
  undoLabel: string | null;
  redoLabel: string | null;
  onUndo: () => void;
  onRedo: () => void;
  history: { open: boolean; toggle: () => void } | null;
}

/** The grid's filter and commands: rows, fill-down and set for a selection, undo and redo, history. */
export function GridToolbar(props: GridToolbarProps) {
  const { entity, filter, busy, activeRow, readOnly, selected } = props;
  return (
    <div className="grid-toolbar">
      <label>
        Show{' '}
        <select value={filter} onChange={(e) => props.onFilter(e.target.value as GridFilter)}>
          <option value="all">All rows ({props.total})</option>
          <option value="problems">Rows with problems ({props.withProblems})</option>
          {entity.fields
            .filter((f) => props.problemFields.has(f.id) || filter === `field:${f.id}`)
            .map((f) => (
              <option key={f.id} value={`field:${f.id}`}>
                Problems in {f.label} ({props.problemFields.get(f.id) ?? 0})
              </option>
            ))}
        </select>
      </label>
      {filter !== 'all' && props.stale > 0 ? (
        <button type="button" onClick={props.onRefresh}>
          Refresh filter ({props.stale} fixed)
        </button>
      ) : null}
      {!readOnly ? (
        <>
          <button type="button" onClick={props.onAdd} disabled={busy}>
            Add row
          </button>
          <button type="button" onClick={props.onDelete} disabled={busy || activeRow === null}>
            Delete row {activeRow ?? ''}
          </button>
          {selected > 1 ? (
            <>
              <button type="button" onClick={props.onFillDown} disabled={busy}>
                Fill down
              </button>
              <button type="button" onClick={props.onSetAll} disabled={busy}>
                Set {selected} cells…
              </button>
            </>
          ) : null}
          <button
            type="button"
            onClick={props.onUndo}
            disabled={busy || props.undoLabel === null}
            title={props.undoLabel ? `Undo ${props.undoLabel} (Ctrl+Z)` : 'Nothing to undo'}
          >
            Undo
          </button>
          <button
            type="button"
            onClick={props.onRedo}
            disabled={busy || props.redoLabel === null}
            title={props.redoLabel ? `Redo ${props.redoLabel} (Ctrl+Y)` : 'Nothing to redo'}
          >
            Redo
          </button>
        </>
      ) : null}
      {props.history ? (
        <button
          type="button"
          disabled={activeRow === null}
          aria-expanded={props.history.open}
          onClick={props.history.toggle}
        >
          {props.history.open ? 'Hide history' : `History of row ${activeRow ?? ''}`}
        </button>
      ) : null}
      <span className="hint">
        Arrows move · Shift+arrows select · Enter edits · Ctrl+C copies · Ctrl+V pastes · Ctrl+D
        fills down · Ctrl+Z undoes
      </span>
    </div>
  );
}
