import type { CellChange } from './grid-edits.js';

/**
 * One undoable edit of the grid: the cells it changed, and the records it created (an undo deletes
 * them; a redo creates them again with the same values, under new ids).
 */
export interface GridEdit {
  label: string;
  changes: CellChange[];
  created: { id: string; values: Record<string, unknown> }[];
}

/** The edits that can be undone (newest last) and those undone that can be redone (newest last). */
export interface UndoStack {
  readonly past: readonly GridEdit[];
  readonly future: readonly GridEdit[];
}

/** How many edits are kept. */
export const UNDO_LIMIT = 100;

export const emptyUndoStack: UndoStack = { past: [], future: [] };

/** A new edit: on top of the past, and the redo list is gone (as in every editor). */
export function pushEdit(stack: UndoStack, edit: GridEdit, limit = UNDO_LIMIT): UndoStack {
  if (edit.changes.length === 0 && edit.created.length === 0) return stack;
  return { past: [...stack.past, edit].slice(-limit), future: [] };
}

/** The edit an undo takes back, or null when there is none. */
export function nextUndo(stack: UndoStack): GridEdit | null {
  return stack.past.at(-1) ?? null;
}

/** The edit a redo does again, or null when there is none. */
export function nextRedo(stack: UndoStack): GridEdit | null {
  return stack.future.at(-1) ?? null;
}

/**
 * The stack once an undo went through: the edit moves to the redo list, as it now stands (a redo
 * that created records again carries their new ids).
 */
export function afterUndo(stack: UndoStack, edit: GridEdit): UndoStack {
  return { past: stack.past.slice(0, -1), future: [...stack.future, edit] };
}

/** The stack once a redo went through: the edit is back on top of the past. */
export function afterRedo(stack: UndoStack, edit: GridEdit): UndoStack {
  return { past: [...stack.past, edit], future: stack.future.slice(0, -1) };
}

/** The stack without its newest undo (one that can no longer be undone: its record changed since). */
export function dropUndo(stack: UndoStack): UndoStack {
  return { past: stack.past.slice(0, -1), future: stack.future };
}

/** The stack without its newest redo. */
export function dropRedo(stack: UndoStack): UndoStack {
  return { past: stack.past, future: stack.future.slice(0, -1) };
}
