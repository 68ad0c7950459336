import type { Api, ApiRecord } from '../api.js';
import type { FormEntity, FormModel } from './form-model.js';
import type { useGridCursor } from './use-grid-cursor.js';
import type { useGridView } from './use-grid-view.js';
import type { useGridWrites } from './use-grid-writes.js';
import type { usePlannedEdits } from './use-planned-edits.js';

/** The grid's cursor and selection (use-grid-cursor.ts). */
export type GridCursor = ReturnType<typeof useGridCursor>;
/** The grid's rows as filtered (use-grid-view.ts). */
export type GridView = ReturnType<typeof useGridView>;
/** The grid's writes, with undo and redo (use-grid-writes.ts). */
export type GridWrites = ReturnType<typeof useGridWrites>;
/** The grid's edits of many cells at once (use-planned-edits.ts). */
export type GridEdits = ReturnType<typeof usePlannedEdits>;

/** A cell being typed into: its text, and whether it is to go to every selected cell. */
export interface CellDraft {
  value: string;
  all: boolean;
}

/** What every part of the grid works on: the records of one entity and how they change. */
export interface GridBasics {
  api: Api;
  model: FormModel;
  entity: FormEntity;
  records: ApiRecord[];
  /** Replaces records by id (saved ones), appends new ones, drops deleted ones. */
  onChange: (change: { saved?: ApiRecord[]; deleted?: string[] }) => void;
  readOnly?: boolean | undefined;
}
