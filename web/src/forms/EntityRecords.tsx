import { useCallback, useEffect, useRef, useState } from 'react';
import { messageOf, type Api, type ApiRecord } from '../api.js';
import { getRecord } from '../endpoints.js';
import type { FormEntity, FormModel } from './form-model.js';
import { RecordCards } from './RecordCards.js';
import { RecordForm } from './RecordForm.js';
import { RecordGrid } from './RecordGrid.js';
import { RecordHistory } from './RecordHistory.js';

/** Above this many records an entity is edited as a grid; below, one form per record. */
export const GRID_FROM = 8;

export interface EntityRecordsProps {
  api: Api;
  model: FormModel;
  entity: FormEntity;
  readOnly?: boolean;
  focus?: { recordId: string; field: string } | undefined;
  /** Only these records are shown (a problem group's), when given. */
  only?: ReadonlySet<string> | undefined;
  /** Told after every save, so progress elsewhere on the page can move. */
  onSaved?: () => void;
  showHistory?: boolean;
  /** One card per record, a tap to edit (the portal on a narrow screen), instead of forms or a grid. */
  cards?: boolean;
}

/** The records of one entity: a form per record for a few (sites, groups, ports), a grid for many. */
export function EntityRecords(props: EntityRecordsProps) {
  const { api, model, entity, readOnly, focus, onSaved, showHistory, only, cards } = props;
  const acquisitionId = model.context.acquisition.id;
  const [records, setRecords] = useState<ApiRecord[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState('');
  const [historyOf, setHistoryOf] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    setRecords(null);
    const loaded: ApiRecord[] = [];
    let read = 0;
    api
      .allRecords(acquisitionId, entity.id, (page, count) => {
        if (cancelled) return;
        read += page.length;
        loaded.push(...(only ? page.filter((r) => only.has(r.id)) : page));
        // Narrowed to a group, "loaded" counts what was read of the entity, not what is shown.
        setTotal(only ? loaded.length + count - read : count);
        setRecords([...loaded]);
        if (read >= count) performance.mark('intake:records-loaded');
      })
      .catch((e: unknown) => !cancelled && setError(messageOf(e)));
    return () => {
      cancelled = true;
    };
  }, [api, acquisitionId, entity.id, only]);

  // The records as they stand, for working out which others a save can have affected.
  const current = useRef<ApiRecord[] | null>(null);
  useEffect(() => {
    current.current = records;
  }, [records]);

  /**
   * Re-reads records whose findings another record's save may have changed: the other holders of
   * a duplicate, before and after. One read per record; past 50 (a large paste), the entity's
   * records with findings instead.
   */
  const refresh = useCallback(
    async (ids: string[]) => {
      let fresh: ApiRecord[];
      if (ids.length > 50) {
        const blocking = await api.allRecords(
          acquisitionId,
          entity.id,
          undefined,
          '&severity=blocking',
        );
        const warned = await api.allRecords(
          acquisitionId,
          entity.id,
          undefined,
          '&severity=warning',
        );
        const byId = new Map([...blocking, ...warned].map((r) => [r.id, r]));
        fresh = (current.current ?? []).map((r) => byId.get(r.id) ?? { ...r, findings: [] });
      } else {
        const read = await Promise.all(
          ids.map((id) => getRecord(api, acquisitionId, id).catch(() => null)),
        );
        fresh = read.filter((r): r is ApiRecord => r !== null);
      }
      const byId = new Map(fresh.map((r) => [r.id, r]));
      setRecords((list) => list?.map((r) => byId.get(r.id) ?? r) ?? list);
    },
    [api, acquisitionId, entity.id],
  );

  const change = useCallback(
    ({ saved = [], deleted = [] }: { saved?: ApiRecord[]; deleted?: string[] }) => {
      const written = new Set([...saved.map((r) => r.id), ...deleted]);
      const before = new Map((current.current ?? []).map((r) => [r.id, r]));
      const affected = new Set<string>();
      const relatedOf = (r: ApiRecord | undefined) =>
        r?.findings.forEach((f) => f.related?.forEach((id) => affected.add(id)));
      for (const id of written) relatedOf(before.get(id));
      saved.forEach(relatedOf);
      for (const id of written) affected.delete(id);
      setRecords((list) => {
        if (!list) return list;
        const byId = new Map(saved.map((r) => [r.id, r]));
        const next = list.filter((r) => !deleted.includes(r.id)).map((r) => byId.get(r.id) ?? r);
        const known = new Set(list.map((r) => r.id));
        for (const r of saved) if (!known.has(r.id)) next.push(r);
        return next;
      });
      onSaved?.();
      if (affected.size > 0)
        void refresh([...affected]).catch((e: unknown) => setError(messageOf(e)));
    },
    [onSaved, refresh],
  );

  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!records) return <p aria-busy="true">Loading {entity.name.toLowerCase()} records…</p>;
  const asGrid = Math.max(entity.expected, records.length, total) > GRID_FROM;
  return (
    <div className="entity-records">
      {entity.description ? <p className="help">{entity.description}</p> : null}
      {records.length < total ? (
        <p className="hint" aria-live="polite">
          Loaded {records.length} of {total} records…
        </p>
      ) : null}
      {cards && records.length > 0 ? (
        <RecordCards
          api={api}
          model={model}
          entity={entity}
          records={records}
          readOnly={readOnly}
          focus={focus}
          onSaved={(saved) => change({ saved: [saved] })}
        />
      ) : asGrid ? (
        <RecordGrid
          api={api}
          model={model}
          entity={entity}
          records={records}
          onChange={change}
          readOnly={readOnly}
          focus={focus}
          showHistory={showHistory}
        />
      ) : records.length === 0 ? (
        <p>No {entity.name.toLowerCase()} records are expected yet.</p>
      ) : (
        records.map((record) => (
          <div key={record.id} className="record-card">
            <RecordForm
              api={api}
              model={model}
              entity={entity}
              record={record}
              readOnly={readOnly}
              focusField={focus?.recordId === record.id ? focus.field : undefined}
              onSaved={(saved) => change({ saved: [saved] })}
            />
            {showHistory ? (
              <button
                type="button"
                className="link"
                aria-expanded={historyOf === record.id}
                onClick={() => setHistoryOf(historyOf === record.id ? null : record.id)}
              >
                {historyOf === record.id ? 'Hide history' : 'Show history'}
              </button>
            ) : null}
            {historyOf === record.id ? (
              <RecordHistory api={api} model={model} entity={entity} record={record} />
            ) : null}
          </div>
        ))
      )}
    </div>
  );
}
