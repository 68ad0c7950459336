import type { KeyboardEvent, MouseEvent, ReactNode } from 'react';
import type { ApiRecord, Finding } from '../api.js';
import { displayValue, type FormEntity, type FormModel } from './form-model.js';
import { inRange, type CellRange } from './grid-selection.js';

export const ROW_HEIGHT = 36;
export const COLUMN_WIDTH = 170;

/** The finding a cell shows: a blocking one first. */
export function findingOf(record: ApiRecord, field: string): Finding | undefined {
  return (
    record.findings.find((f) => f.field === field && f.severity === 'blocking') ??
    record.findings.find((f) => f.field === field)
  );
}

export interface GridRowProps {
  model: FormModel;
  entity: FormEntity;
  record: ApiRecord;
  index: number;
  top: number;
  width: number;
  /** The active column when this is the active row, otherwise -1. */
  activeCol: number;
  range: CellRange;
  /** Required fields this record leaves empty. */
  missing: readonly string[];
  /** The editor, when the active cell of this row is being edited. */
  editor: ReactNode;
  onCellClick: (event: MouseEvent, row: number, col: number) => void;
  onCellEdit: (row: number, col: number) => void;
  onCellKey: (event: KeyboardEvent<HTMLDivElement>, row: number, col: number) => void;
}

/** One row of the grid: its number (and site), and a cell per field with its problem or a missing answer. */
export function GridRow(props: GridRowProps) {
  const { model, entity, record, index, activeCol, range, missing } = props;
  const problem = record.findings.length > 0 || missing.length > 0;
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      className={`grid-row${problem ? ' grid-row--problem' : ''}`}
      data-record={record.id}
      style={{ transform: `translateY(${props.top}px)`, height: ROW_HEIGHT, width: props.width }}
    >
      <div className="grid-rowhead" role="rowheader">
        {index + 1}
        {record.site ? ` · ${model.siteName(record.site)}` : ''}
      </div>
      {entity.fields.map((f, col) => {
        const isActive = activeCol === col;
        if (isActive && props.editor)
          return (
            <div key={f.id} role="gridcell" className="grid-cell grid-cell--editing">
              {props.editor}
            </div>
          );
        const finding = findingOf(record, f.id);
        const isMissing = missing.includes(f.id);
        const selected = inRange(range, index, col);
        const text = displayValue(record.values[f.id]);
        const classes = [
          'grid-cell',
          finding ? `grid-cell--${finding.severity}` : '',
          isMissing ? 'grid-cell--missing' : '',
          selected ? 'grid-cell--selected' : '',
        ];
        return (
          <div
            key={f.id}
            role="gridcell"
            data-cell={`${index}:${col}`}
            data-col={col}
            data-field={f.id}
            tabIndex={isActive ? 0 : -1}
            aria-selected={selected}
            aria-invalid={finding?.severity === 'blocking' || isMissing ? true : undefined}
            className={classes.filter(Boolean).join(' ')}
            title={finding?.message ?? (isMissing ? 'Required, missing' : undefined)}
            onClick={(e) => props.onCellClick(e, index, col)}
            onDoubleClick={() => props.onCellEdit(index, col)}
            onKeyDown={(e) => props.onCellKey(e, index, col)}
          >
            {f.sensitivity === 'secret' && text
              ? '••••'
              : f.id === entity.siteField && text
                ? model.siteName(text)
                : text}
            {finding ? (
              <span className="visually-hidden">, problem: {finding.message}</span>
            ) : isMissing ? (
              <span className="visually-hidden">required, missing</span>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}
