import { describe, expect, it } from 'vitest';
import { inRange, moveFor, rangeSize, selectionRange, toTsv } from './grid-selection.js';
import { parseClipboard } from './paste.js';

const key = (k: string, ctrl = false) => ({ key: k, ctrlKey: ctrl, metaKey: false });

describe('the grid selection', () => {
  it('spans from the anchor to the active cell in either direction', () => {
    const range = selectionRange({ row: 1, col: 0 }, { row: 4, col: 2 });
    expect(range).toEqual({ top: 1, bottom: 4, left: 0, right: 2 });
    expect(rangeSize(range)).toBe(12);
    expect(inRange(range, 4, 2)).toBe(true);
    expect(inRange(range, 5, 2)).toBe(false);
    expect(selectionRange({ row: 3, col: 1 }, null)).toEqual({
      top: 3,
      bottom: 3,
      left: 1,
      right: 1,
    });
  });

  it('moves with the keys a spreadsheet has, and stays inside the grid', () => {
    const size = { rows: 20, cols: 4 };
    expect(moveFor(key('ArrowDown'), { row: 19, col: 0 }, size)).toEqual({ row: 19, col: 0 });
    expect(moveFor(key('ArrowLeft'), { row: 2, col: 0 }, size)).toEqual({ row: 2, col: 0 });
    expect(moveFor(key('PageDown'), { row: 15, col: 1 }, size)).toEqual({ row: 19, col: 1 });
    expect(moveFor(key('End'), { row: 5, col: 1 }, size)).toEqual({ row: 5, col: 3 });
    expect(moveFor(key('Home', true), { row: 5, col: 2 }, size)).toEqual({ row: 0, col: 0 });
    expect(moveFor(key('End', true), { row: 5, col: 2 }, size)).toEqual({ row: 19, col: 3 });
    expect(moveFor(key('ArrowDown', true), { row: 5, col: 2 }, size)).toEqual({ row: 19, col: 2 });
    expect(moveFor(key('a'), { row: 5, col: 2 }, size)).toBeNull();
  });

  it('copies as tab-separated text that pasting reads back the same', () => {
    const cells = [
      ['Aisha', 'line one\nline two'],
      ['say "hi"', 'tab\there'],
    ];
    const text = toTsv(cells);
    expect(text).toBe('Aisha\t"line one\nline two"\r\n"say ""hi"""\t"tab\there"');
    expect(parseClipboard(text)).toEqual(cells);
  });
});
