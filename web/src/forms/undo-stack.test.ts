import { describe, expect, it } from 'vitest';
import {
  afterRedo,
  afterUndo,
  dropUndo,
  emptyUndoStack,
  nextRedo,
  nextUndo,
  pushEdit,
  type GridEdit,
} from './undo-stack.js';

const edit = (label: string): GridEdit => ({
  label,
  changes: [{ recordId: 'r1', field: 'first', before: 'a', after: label }],
  created: [],
});

describe('the undo stack', () => {
  it('undoes the newest edit first and redoes in the order undone', () => {
    let stack = pushEdit(pushEdit(emptyUndoStack, edit('one')), edit('two'));
    expect(nextUndo(stack)?.label).toBe('two');
    stack = afterUndo(stack, nextUndo(stack)!);
    expect(nextUndo(stack)?.label).toBe('one');
    expect(nextRedo(stack)?.label).toBe('two');
    stack = afterUndo(stack, nextUndo(stack)!);
    expect(nextUndo(stack)).toBeNull();
    expect(nextRedo(stack)?.label).toBe('one');
    stack = afterRedo(stack, nextRedo(stack)!);
    expect(nextUndo(stack)?.label).toBe('one');
    expect(nextRedo(stack)?.label).toBe('two');
  });

  it('a new edit clears what could be redone', () => {
    let stack = pushEdit(emptyUndoStack, edit('one'));
    stack = afterUndo(stack, nextUndo(stack)!);
    stack = pushEdit(stack, edit('three'));
    expect(nextRedo(stack)).toBeNull();
    expect(stack.past.map((e) => e.label)).toEqual(['three']);
  });

  it('keeps the newest edits up to its limit, and ignores an edit that changed nothing', () => {
    let stack = emptyUndoStack;
    for (let i = 0; i < 5; i++) stack = pushEdit(stack, edit(`e${i}`), 3);
    expect(stack.past.map((e) => e.label)).toEqual(['e2', 'e3', 'e4']);
    expect(pushEdit(stack, { label: 'none', changes: [], created: [] })).toBe(stack);
  });

  it('drops an edit that can no longer be undone', () => {
    const stack = dropUndo(pushEdit(pushEdit(emptyUndoStack, edit('one')), edit('two')));
    expect(nextUndo(stack)?.label).toBe('one');
  });
});
