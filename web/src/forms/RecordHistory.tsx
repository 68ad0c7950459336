import { useEffect, useState } from 'react';
import { messageOf, type Api, type ApiRecord } from '../api.js';
import { displayValue, type FormEntity, type FormModel } from './form-model.js';

interface HistoryEntry {
  field: string;
  oldValue: unknown;
  newValue: unknown;
  source: string;
  actor: string;
  note?: string;
  at: string;
  recordVersion: number;
}

/** Every change of a record: when, who, through which channel, from what to what. */
export function RecordHistory({
  api,
  model,
  entity,
  record,
}: {
  api: Api;
  model: FormModel;
  entity: FormEntity;
  record: ApiRecord;
}) {
  const [entries, setEntries] = useState<HistoryEntry[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    api
      .get<{ items: HistoryEntry[] }>(
        `/acquisitions/${model.context.acquisition.id}/records/${record.id}/history`,
      )
      .then((h) => setEntries(h.items))
      .catch((e: unknown) => setError(messageOf(e)));
  }, [api, model, record.id, record.version]);
  if (error) return <p className="error">{error}</p>;
  if (!entries) return <p aria-busy="true">Loading history…</p>;
  const labels = new Map(entity.fields.map((f) => [f.id, f]));
  const show = (field: string, value: unknown) =>
    labels.get(field)?.sensitivity === 'secret' && value ? '••••' : displayValue(value) || '—';
  return (
    <table className="history">
      <caption>History of this {entity.name.toLowerCase()}</caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Field</th>
          <th scope="col">From</th>
          <th scope="col">To</th>
          <th scope="col">By</th>
          <th scope="col">Channel</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e, i) => (
          <tr key={i}>
            <td>{new Date(e.at).toLocaleString()}</td>
            <td>{labels.get(e.field)?.label ?? e.field}</td>
            <td>{show(e.field, e.oldValue)}</td>
            <td>{show(e.field, e.newValue)}</td>
            <td>{e.actor}</td>
            <td>
              {e.source}
              {e.note ? ` — ${e.note}` : ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
