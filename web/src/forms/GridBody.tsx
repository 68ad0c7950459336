import type { KeyboardEvent, MouseEvent, ReactNode } from 'react';
import { displayValue, type FormEntity, type FormModel } from './form-model.js';
import type { GridCursor, GridEdits, GridView, GridWrites } from './grid-parts.js';
import { COLUMN_WIDTH, GridRow } from './GridRow.js';
import type { CellEditing } from './use-cell-editing.js';
import { plural } from './use-planned-edits.js';

export interface GridBodyProps {
  model: FormModel;
  entity: FormEntity;
  readOnly: boolean | undefined;
  cursor: GridCursor;
  view: GridView;
  writes: GridWrites;
  edits: GridEdits;
  cell: CellEditing;
  /** The editor over the active cell, while a cell is edited. */
  editor: ReactNode;
  onGridKey: (event: KeyboardEvent<HTMLDivElement>) => void;
  onCellKey: (event: KeyboardEvent<HTMLDivElement>, row: number, col: number) => void;
}

/** The grid itself: its column headers and the rows in view, with copy and paste of a range. */
export function GridBody(props: GridBodyProps) {
  const { entity, cursor, view, writes, edits, cell } = props;
  const { rows } = view;
  const fields = entity.fields;
  const width = gridWidth(entity);
  const editing = cell.editing;
  return (
    <div
      ref={cursor.scrollRef}
      className="grid-scroll"
      role="grid"
      aria-label={`${entity.name}: ${rows.length} rows`}
      aria-rowcount={rows.length + 1}
      aria-colcount={fields.length + 1}
      aria-multiselectable="true"
      aria-busy={writes.busy || undefined}
      onKeyDown={props.onGridKey}
      onCopy={(e) => {
        if (editing) return;
        e.preventDefault();
        e.clipboardData.setData('text/plain', edits.copyText());
        void writes.run(async () => `Copied ${plural(cursor.selected, 'cell')}.`);
      }}
      onPaste={(e) => {
        if (editing) return;
        e.preventDefault();
        edits.paste(e.clipboardData.getData('text/plain'));
      }}
    >
      <GridHeader entity={entity} width={width} />
      <GridRows {...props} width={width} />
    </div>
  );
}

/** The grid's width: the row heads and a column per field. */
export const gridWidth = (entity: FormEntity) => 140 + entity.fields.length * COLUMN_WIDTH;

function GridHeader({ entity, width }: { entity: FormEntity; width: number }) {
  return (
    <div className="grid-header" role="row" aria-rowindex={1} style={{ width }}>
      <div className="grid-rowhead" role="columnheader">
        Row
      </div>
      {entity.fields.map((f) => (
        <div key={f.id} className="grid-colhead" role="columnheader" title={f.question}>
          {f.label}
          {f.required === true ? <span aria-hidden="true"> *</span> : null}
        </div>
      ))}
    </div>
  );
}

/** The rows in view (the grid is virtualised), the active one with the editor. */
function GridRows(props: GridBodyProps & { width: number }) {
  const { model, entity, readOnly, cursor, view, cell, editor, width } = props;
  const { rows } = view;
  const fields = entity.fields;
  const onCellClick = (event: MouseEvent, row: number, col: number) =>
    cursor.selectCell(row, col, event.shiftKey);
  return (
    <div style={{ height: cursor.virtualizer.getTotalSize(), width, position: 'relative' }}>
      {cursor.virtualizer.getVirtualItems().map((item) => {
        const record = rows[item.index]!;
        const isActive = item.index === cursor.row;
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
            range={cursor.range}
            missing={view.missing.get(record.id) ?? []}
            editor={isActive ? editor : null}
            onCellClick={onCellClick}
            onCellEdit={(row, col) =>
              !readOnly &&
              cell.setEditing({
                value: displayValue(rows[row]?.values[fields[col]?.id ?? '']),
                all: false,
              })
            }
            onCellKey={props.onCellKey}
          />
        );
      })}
    </div>
  );
}
