import { useCallback, useMemo, useRef, useState } from 'react';
import type { ApiRecord } from '../api.js';
import type { FormEntity, FormModel } from './form-model.js';
import { missingRequired } from './missing-required.js';

export type GridFilter = 'all' | 'problems' | `field:${string}`;

/**
 * The rows a grid shows: all, those with problems (a finding or a required answer missing), or
 * those with a problem in one field. A row edited while filtered stays in view (pinned) until the
 * filter is refreshed or changed, so a fix does not make the row, and the focus, jump away.
 */
export function useGridView(model: FormModel, entity: FormEntity, records: ApiRecord[]) {
  const [filter, setFilterState] = useState<GridFilter>('all');
  const [pinned, setPinned] = useState<ReadonlySet<string>>(new Set());
  const fields = entity.fields;

  // Worked out once per record as it arrives or changes (a saved record is a new object): the
  // records of a large entity come page by page, and each page must not redo the ones before.
  const missingOf = useRef(new WeakMap<ApiRecord, string[]>());
  const missing = useMemo(() => {
    const byRecord = new Map<string, string[]>();
    for (const r of records) {
      let ids = missingOf.current.get(r);
      if (!ids) {
        ids = missingRequired(fields, r.values, (f) => model.isRequired(f, r, r.values));
        missingOf.current.set(r, ids);
      }
      if (ids.length > 0) byRecord.set(r.id, ids);
    }
    return byRecord;
  }, [model, fields, records]);

  const problemFieldsOf = useCallback(
    (r: ApiRecord) => new Set([...r.findings.map((f) => f.field), ...(missing.get(r.id) ?? [])]),
    [missing],
  );

  const problemFields = useMemo(() => {
    const counts = new Map<string, number>();
    for (const r of records)
      for (const field of problemFieldsOf(r)) counts.set(field, (counts.get(field) ?? 0) + 1);
    return counts;
  }, [records, problemFieldsOf]);

  const matches = useCallback(
    (r: ApiRecord) => {
      if (filter === 'all') return true;
      if (filter === 'problems') return r.findings.length > 0 || missing.has(r.id);
      return problemFieldsOf(r).has(filter.slice('field:'.length));
    },
    [filter, missing, problemFieldsOf],
  );

  const withProblems = useMemo(
    () => records.filter((r) => r.findings.length > 0 || missing.has(r.id)).length,
    [records, missing],
  );

  const rows = useMemo(
    () => (filter === 'all' ? records : records.filter((r) => matches(r) || pinned.has(r.id))),
    [records, filter, matches, pinned],
  );

  /** Rows kept in view that no longer match the filter. */
  const stale = useMemo(() => rows.filter((r) => !matches(r)).length, [rows, matches]);

  const setFilter = (next: GridFilter) => {
    setPinned(new Set());
    setFilterState(next);
  };
  const pin = (ids: string[]) => {
    if (filter === 'all' || ids.length === 0) return;
    setPinned((set) => new Set([...set, ...ids]));
  };
  const refresh = () => setPinned(new Set());

  return { filter, setFilter, rows, missing, problemFields, withProblems, stale, pin, refresh };
}
