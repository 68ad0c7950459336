import { describe, expect, it } from 'vitest';
import { patchesOf, planFillDown, planPaste, planSetAll, rangeText } from './grid-edits.js';

const fields = [{ id: 'first' }, { id: 'last' }, { id: 'email' }];
const rows = [
  { id: 'r1', values: { first: 'Ann', last: 'Lee' } },
  { id: 'r2', values: { first: '', last: null } },
  { id: 'r3', values: { first: 'Bo', last: 'Ng', email: 'bo@example.com' } },
];

describe('a paste', () => {
  it('counts the filled cells it would replace, and skips cells that would not change', () => {
    const plan = planPaste(
      [
        ['Ann', 'Smith'],
        ['Cy', 'Doe'],
      ],
      rows,
      fields,
      { row: 0, col: 0 },
    );
    expect(plan.changes).toEqual([
      { recordId: 'r1', field: 'last', before: 'Lee', after: 'Smith' },
      { recordId: 'r2', field: 'first', before: '', after: 'Cy' },
      { recordId: 'r2', field: 'last', before: null, after: 'Doe' },
    ]);
    expect(plan.overwrites).toBe(1);
    expect(plan.creates).toEqual([]);
  });

  it('into empty cells replaces nothing; lines past the last row become new records', () => {
    const plan = planPaste([['a@example.com', 'extra']], rows, fields, { row: 1, col: 2 });
    expect(plan.overwrites).toBe(0);
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0]).toMatchObject({ recordId: 'r2', after: 'a@example.com' });
    // r3 already has an email: replacing it counts.
    const over = planPaste([['a@example.com'], ['x@example.com']], rows, fields, {
      row: 1,
      col: 2,
    });
    expect(over.overwrites).toBe(1);
    const beyond = planPaste([['Dee', 'Fox']], rows, fields, { row: 3, col: 0 });
    expect(beyond.creates).toEqual([{ first: 'Dee', last: 'Fox' }]);
  });

  it('an empty pasted cell clears the value (null), and counts as replacing it', () => {
    const plan = planPaste([['  ']], rows, fields, { row: 0, col: 0 });
    expect(plan.changes).toEqual([{ recordId: 'r1', field: 'first', before: 'Ann', after: null }]);
    expect(plan.overwrites).toBe(1);
  });
});

describe('fill-down and set for the selection', () => {
  it('fills each column of the range with its top cell', () => {
    const plan = planFillDown(rows, fields, { top: 0, bottom: 2, left: 0, right: 1 });
    expect(plan.changes).toEqual([
      { recordId: 'r2', field: 'first', before: '', after: 'Ann' },
      { recordId: 'r3', field: 'first', before: 'Bo', after: 'Ann' },
      { recordId: 'r2', field: 'last', before: null, after: 'Lee' },
      { recordId: 'r3', field: 'last', before: 'Ng', after: 'Lee' },
    ]);
    expect(plan.overwrites).toBe(2);
  });

  it('a fill-down of one row changes nothing', () => {
    expect(planFillDown(rows, fields, { top: 1, bottom: 1, left: 0, right: 2 }).changes).toEqual(
      [],
    );
  });

  it('sets one value into every selected cell', () => {
    const plan = planSetAll(rows, fields, { top: 0, bottom: 1, left: 2, right: 2 }, 'x@y.org');
    expect(plan.changes.map((c) => c.recordId)).toEqual(['r1', 'r2']);
    expect(plan.overwrites).toBe(0);
  });
});

describe('the cells of a range', () => {
  it('as text for the clipboard', () => {
    expect(rangeText(rows, fields, { top: 1, bottom: 2, left: 0, right: 2 })).toEqual([
      ['', '', ''],
      ['Bo', 'Ng', 'bo@example.com'],
    ]);
  });

  it('as one merge patch per record, before or after', () => {
    const plan = planFillDown(rows, fields, { top: 0, bottom: 2, left: 0, right: 1 });
    expect(patchesOf(plan.changes, 'before').get('r3')).toEqual({ first: 'Bo', last: 'Ng' });
    expect(patchesOf(plan.changes, 'after').get('r2')).toEqual({ first: 'Ann', last: 'Lee' });
  });
});
