import { useCallback, useEffect, useState } from 'react';
import { messageOf, type Api, type ApiRecord, type Finding } from '../api.js';
import type { FormEntity, FormModel } from './form-model.js';
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
  /** Told after every save, so progress elsewhere on the page can move. */
  onSaved?: () => void;
  showHistory?: boolean;
}

/** The records of one entity: a form per record for a few (sites, groups, ports), a grid for many. */
export function EntityRecords(props: EntityRecordsProps) {
  const { api, model, entity, readOnly, focus, onSaved, showHistory } = props;
  const acquisitionId = model.context.acquisition.id;
  const [records, setRecords] = useState<ApiRecord[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState('');
  const [historyOf, setHistoryOf] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    setRecords(null);
    const loaded: ApiRecord[] = [];
    api
      .allRecords(acquisitionId, entity.id, (page, count) => {
        if (cancelled) return;
        loaded.push(...page);
        setTotal(count);
        setRecords([...loaded]);
        if (loaded.length >= count) performance.mark('intake:records-loaded');
      })
      .catch((e: unknown) => !cancelled && setError(messageOf(e)));
    return () => {
      cancelled = true;
    };
  }, [api, acquisitionId, entity.id]);

  const change = useCallback(
    ({ saved = [], deleted = [] }: { saved?: ApiRecord[]; deleted?: string[] }) => {
      setRecords((current) => {
        if (!current) return current;
        const byId = new Map(saved.map((r) => [r.id, r]));
        const gone = new Set(deleted);
        const next = current.filter((r) => !gone.has(r.id)).map((r) => byId.get(r.id) ?? r);
        const known = new Set(current.map((r) => r.id));
        for (const r of saved) if (!known.has(r.id)) next.push(r);
        return next;
      });
      onSaved?.();
    },
    [onSaved],
  );

  const refreshFindings = useCallback(async () => {
    const withFindings = await api.allRecords(
      acquisitionId,
      entity.id,
      undefined,
      '&severity=blocking',
    );
    const warned = await api.allRecords(acquisitionId, entity.id, undefined, '&severity=warning');
    const findings = new Map<string, Finding[]>();
    for (const r of [...withFindings, ...warned]) findings.set(r.id, r.findings);
    setRecords(
      (current) =>
        current?.map((r) => {
          const next = findings.get(r.id) ?? [];
          return next.length === 0 && r.findings.length === 0 ? r : { ...r, findings: next };
        }) ?? current,
    );
  }, [api, acquisitionId, entity.id]);

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
      {asGrid ? (
        <RecordGrid
          api={api}
          model={model}
          entity={entity}
          records={records}
          onChange={change}
          onRefreshFindings={refreshFindings}
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
              onSaved={(saved) => {
                change({ saved: [saved] });
                void refreshFindings();
              }}
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
