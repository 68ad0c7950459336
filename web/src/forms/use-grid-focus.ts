import { useEffect, useRef } from 'react';
import type { ApiRecord } from '../api.js';
import type { FieldSpec } from './form-model.js';
import type { GridCursor, GridView } from './grid-parts.js';

/**
 * Brings a cell into view and focuses it: the finding the page was opened at, or a row just added.
 * Each target is focused once, as soon as its row is there (showing every row when a filter hides
 * it).
 */
export function useGridFocus(
  target: { recordId: string; field: string } | undefined,
  records: readonly ApiRecord[],
  fields: readonly FieldSpec[],
  view: GridView,
  cursor: GridCursor,
) {
  const { rows } = view;
  const focusKey = target ? `${target.recordId}/${target.field}` : '';
  const focused = useRef('');
  useEffect(() => {
    if (!target || focused.current === focusKey) return;
    let row = rows.findIndex((r) => r.id === target.recordId);
    if (row < 0 && view.filter !== 'all') {
      view.setFilter('all');
      row = records.findIndex((r) => r.id === target.recordId);
    }
    if (row < 0) return;
    focused.current = focusKey;
    cursor.focusCell(
      row,
      Math.max(
        0,
        fields.findIndex((f) => f.id === target.field),
      ),
    );
    // Only a new target, or its row arriving, moves the focus.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [focusKey, rows]);
}
