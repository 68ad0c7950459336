import { messageOf, type Api, type ApiRecord } from '../api.js';
import { useRecordHistory } from '../queries.js';
import { displayValue, type FormEntity, type FormModel } from './form-model.js';

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
  const history = useRecordHistory(api, model.context.acquisition.id, record.id, record.version);
  const entries = history.data?.items ?? null;
  const error = history.error ? messageOf(history.error) : '';
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
