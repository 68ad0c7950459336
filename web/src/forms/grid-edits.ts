import { displayValue } from './form-model.js';
import type { CellRange } from './grid-selection.js';

/** A record as the grid's edits see it: its id and values. */
export interface EditableRecord {
  id: string;
  values: Record<string, unknown>;
}

/** One cell's change: what it held and what it is to hold (null for empty). */
export interface CellChange {
  recordId: string;
  field: string;
  before: unknown;
  after: unknown;
}

/** What an edit writes: changed cells of existing records, new records, and how many filled cells it replaces. */
export interface EditPlan {
  changes: CellChange[];
  creates: Record<string, unknown>[];
  /** Cells that hold a value now and would hold another one. */
  overwrites: number;
}

const emptyToNull = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? null : value;

function planOf(changes: CellChange[], creates: Record<string, unknown>[] = []): EditPlan {
  const real = changes.filter((c) => displayValue(c.before) !== displayValue(c.after));
  return {
    changes: real,
    creates,
    overwrites: real.filter((c) => displayValue(c.before) !== '').length,
  };
}

/**
 * A block pasted at a cell: each line onto the next row, each cell onto the next column; lines past
 * the last row become new records, cells past the last column are left out. Cells that would not
 * change are not written.
 */
export function planPaste(
  block: string[][],
  rows: readonly EditableRecord[],
  fields: readonly { id: string }[],
  start: { row: number; col: number },
): EditPlan {
  const changes: CellChange[] = [];
  const creates: Record<string, unknown>[] = [];
  block.forEach((cells, i) => {
    const record = rows[start.row + i];
    const values: Record<string, unknown> = {};
    cells.forEach((cell, j) => {
      const field = fields[start.col + j];
      if (!field) return;
      if (record)
        changes.push({
          recordId: record.id,
          field: field.id,
          before: record.values[field.id] ?? null,
          after: emptyToNull(cell),
        });
      else values[field.id] = emptyToNull(cell);
    });
    if (!record) creates.push(values);
  });
  return planOf(changes, creates);
}

/** One value into every cell of a range ("set for the selection", or one cell pasted over many). */
export function planSetAll(
  rows: readonly EditableRecord[],
  fields: readonly { id: string }[],
  range: CellRange,
  value: unknown,
): EditPlan {
  const changes: CellChange[] = [];
  for (let r = range.top; r <= range.bottom; r++)
    for (let c = range.left; c <= range.right; c++) {
      const record = rows[r];
      const field = fields[c];
      if (!record || !field) continue;
      changes.push({
        recordId: record.id,
        field: field.id,
        before: record.values[field.id] ?? null,
        after: emptyToNull(value),
      });
    }
  return planOf(changes);
}

/** Fill-down (Ctrl+D): each column's top cell of the range into the cells below it. */
export function planFillDown(
  rows: readonly EditableRecord[],
  fields: readonly { id: string }[],
  range: CellRange,
): EditPlan {
  const changes: CellChange[] = [];
  for (let c = range.left; c <= range.right; c++) {
    const field = fields[c];
    const top = rows[range.top];
    if (!field || !top) continue;
    const value = top.values[field.id] ?? null;
    for (let r = range.top + 1; r <= range.bottom; r++) {
      const record = rows[r];
      if (record)
        changes.push({
          recordId: record.id,
          field: field.id,
          before: record.values[field.id] ?? null,
          after: value,
        });
    }
  }
  return planOf(changes);
}

/** The cells of a range as text, for the clipboard. */
export function rangeText(
  rows: readonly EditableRecord[],
  fields: readonly { id: string }[],
  range: CellRange,
): string[][] {
  const out: string[][] = [];
  for (let r = range.top; r <= range.bottom; r++) {
    const record = rows[r];
    if (!record) continue;
    const line: string[] = [];
    for (let c = range.left; c <= range.right; c++) {
      const field = fields[c];
      if (field) line.push(displayValue(record.values[field.id]));
    }
    out.push(line);
  }
  return out;
}

/** Changes grouped as one merge patch per record, taking each cell's `before` or `after`. */
export function patchesOf(
  changes: readonly CellChange[],
  side: 'before' | 'after',
): Map<string, Record<string, unknown>> {
  const patches = new Map<string, Record<string, unknown>>();
  for (const change of changes) {
    const patch = patches.get(change.recordId) ?? {};
    patch[change.field] = change[side];
    patches.set(change.recordId, patch);
  }
  return patches;
}
