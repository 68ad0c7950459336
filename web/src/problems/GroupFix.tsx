import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { ApiError, messageOf, type Api, type ApiRecord } from '../api.js';
import { useAnnounce } from '../components/Announcer.js';
import { FieldInput } from '../components/FieldInput.js';
import { displayValue, type FormModel } from '../forms/form-model.js';
import {
  bulkBody,
  fillDown,
  findAndReplace,
  setForAll,
  suggestedChanges,
  type BulkChange,
} from './bulk-fix.js';
import { queryKeys, useProblemGroup } from '../queries.js';
import { groupTitle, plural } from './work.js';
import './problems.css';
import { focusOnMount } from '../components/focus-on-mount.js';

/** No records yet (one array, so that what is worked out from it is not redone). */
const EMPTY: ApiRecord[] = [];

/** The API takes at most this many records per bulk write. */
const BULK_MOST = 5000;

interface Pending {
  what: string;
  changes: BulkChange[];
}

/**
 * The data tab narrowed to one problem group: which group, how many records, and the bulk fixes
 * that fit it (accept the suggested corrections, set one value for all, find and replace, fill
 * empty values down). Each fix says how many records it changes and asks before it writes; the
 * write is one bulk request held to the versions the fix was worked out on.
 */
export function GroupFix({
  api,
  model,
  groupKey,
  writable,
  onGroup,
  onWritten,
}: {
  api: Api;
  model: FormModel;
  groupKey: string;
  writable: boolean;
  /** Told the group's record ids once known (null while loading or when it is gone). */
  onGroup: (ids: ReadonlySet<string> | null) => void;
  onWritten: () => void;
}) {
  const acquisitionId = model.context.acquisition.id;
  const announce = useAnnounce();
  const queryClient = useQueryClient();
  const groupQuery = useProblemGroup(api, acquisitionId, groupKey);
  const group = groupQuery.data?.detail ?? null;
  const records = groupQuery.data?.records ?? EMPTY;
  const gone = groupQuery.data === null;
  const [writeError, setError] = useState('');
  const error = writeError || (groupQuery.error ? messageOf(groupQuery.error) : '');
  const [value, setValue] = useState('');
  const [find, setFind] = useState('');
  const [replace, setReplace] = useState('');
  const [pending, setPending] = useState<Pending | null>(null);
  const [busy, setBusy] = useState(false);

  // The page narrows the data tab to the group's records once they are known, and shows every
  // record again once the group is gone.
  const data = groupQuery.data;
  useEffect(() => {
    if (data === undefined) return;
    onGroup(data ? new Set(data.detail.records.flatMap((r) => (r.id ? [r.id] : []))) : null);
  }, [data, onGroup]);

  const entity = group ? model.entities.get(group.entity) : undefined;
  const field = entity?.fields.find((f) => f.id === group?.field);
  const members = useMemo(() => {
    const ids = new Set(group?.records.map((r) => r.id));
    return records.filter((r) => ids.has(r.id));
  }, [group, records]);

  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (gone)
    return (
      <section className="group-fix" aria-label="Problem group">
        <p role="status">
          Nothing is left in this group: it has been fixed.{' '}
          <Link to={`/app/acquisitions/${acquisitionId}/problems`}>Back to the problems</Link>
        </p>
      </section>
    );
  if (!group) return <p aria-busy="true">Loading the group…</p>;

  const options = field?.enum?.map(String) ?? [];
  const canFix = writable && field && field.sensitivity !== 'secret' && members.length > 0;
  const suggestions = canFix && options.length ? suggestedChanges(members, field.id, options) : [];
  const replaced =
    canFix && !options.length && field.type === 'string'
      ? findAndReplace(members, field.id, find, replace)
      : [];
  // Fill down in the order of every record of the entity, so a value above the group counts.
  const groupIds = new Set(members.map((r) => r.id));
  const filled = canFix ? fillDown(records, field.id).filter((c) => groupIds.has(c.id)) : [];

  const write = async ({ changes, what }: Pending) => {
    if (!field) return;
    setBusy(true);
    setPending(null);
    try {
      for (let i = 0; i < changes.length; i += BULK_MOST) {
        await api.send(
          'POST',
          `/acquisitions/${acquisitionId}/records/bulk`,
          bulkBody(changes.slice(i, i + BULK_MOST), field.id),
        );
      }
      announce(`${what}: ${plural(changes.length, 'record')} changed.`);
      onWritten();
      await queryClient.invalidateQueries({
        queryKey: queryKeys.group(acquisitionId, groupKey),
      });
    } catch (e) {
      setError(
        e instanceof ApiError && e.status === 412
          ? 'Some of these records changed meanwhile, so nothing was written. Read them again and retry.'
          : messageOf(e),
      );
    } finally {
      setBusy(false);
    }
  };
  const ask = (what: string, changes: BulkChange[]) => setPending({ what, changes });

  return (
    <section className="group-fix" aria-labelledby="group-fix-heading">
      <h3 id="group-fix-heading">{groupTitle(group)}</h3>
      <p>
        {plural(group.count, 'record')}
        {group.site !== null || group.kind === 'missing' ? ` at ${group.siteName}` : ''}. Only these
        rows are shown.{' '}
        <Link to={`/app/acquisitions/${acquisitionId}/data?entity=${group.entity}`}>
          Show every {entity?.name.toLowerCase() ?? 'record'}
        </Link>
      </p>
      {group.records.some((r) => r.id === null) ? (
        <p className="hint">
          {plural(group.records.filter((r) => r.id === null).length, 'record')} of this group{' '}
          {group.records.filter((r) => r.id === null).length === 1 ? 'is' : 'are'} not entered yet:
          add {group.records.filter((r) => r.id === null).length === 1 ? 'it' : 'them'} first.
        </p>
      ) : null}
      {canFix ? (
        <div className="bulk-actions">
          {suggestions.length > 0 ? (
            <div className="bulk-action">
              <h4>Suggested corrections</h4>
              <ul className="suggestions">
                {suggestions.slice(0, 5).map((c) => (
                  <li key={c.id}>
                    “{displayValue(c.from)}” → “{displayValue(c.to)}”
                  </li>
                ))}
                {suggestions.length > 5 ? <li>… and {suggestions.length - 5} more</li> : null}
              </ul>
              <button
                type="button"
                disabled={busy}
                onClick={() => ask('Suggested corrections accepted', suggestions)}
              >
                Accept {plural(suggestions.length, 'suggestion')}
              </button>
            </div>
          ) : null}
          <form
            className="bulk-action"
            onSubmit={(e) => {
              e.preventDefault();
              ask(`${field.label} set`, setForAll(members, field.id, value));
            }}
          >
            <h4>Set for all {plural(members.length, 'record')}</h4>
            <FieldInput
              id="bulk-value"
              field={field}
              value={value}
              required={false}
              hideHelp
              onChange={setValue}
            />
            <button type="submit" disabled={busy || value.trim() === ''}>
              Set {field.label} for these {plural(members.length, 'record')}
            </button>
          </form>
          {!options.length && field.type === 'string' ? (
            <form
              className="bulk-action"
              onSubmit={(e) => {
                e.preventDefault();
                ask('Replaced', replaced);
              }}
            >
              <h4>Find and replace in {field.label}</h4>
              <div className="field">
                <label htmlFor="bulk-find">Find</label>
                <input id="bulk-find" value={find} onChange={(e) => setFind(e.target.value)} />
              </div>
              <div className="field">
                <label htmlFor="bulk-replace">Replace with</label>
                <input
                  id="bulk-replace"
                  value={replace}
                  onChange={(e) => setReplace(e.target.value)}
                />
              </div>
              <button type="submit" disabled={busy || replaced.length === 0}>
                Replace in {plural(replaced.length, 'record')}
              </button>
            </form>
          ) : null}
          {filled.length > 0 ? (
            <div className="bulk-action">
              <h4>Fill down</h4>
              <p className="help">Each empty {field.label} takes the value of the row above it.</p>
              <button type="button" disabled={busy} onClick={() => ask('Filled down', filled)}>
                Fill down {plural(filled.length, 'record')}
              </button>
            </div>
          ) : null}
        </div>
      ) : null}
      {pending ? (
        <div className="confirm" role="alertdialog" aria-labelledby="bulk-confirm">
          <p id="bulk-confirm">
            This changes {field?.label ?? 'the value'} on {plural(pending.changes.length, 'record')}
            {pending.changes.some((c) => displayValue(c.from) !== '')
              ? `, ${pending.changes.filter((c) => displayValue(c.from) !== '').length} of them over a value already there`
              : ''}
            . You can change them back one by one from their history.
          </p>
          <button
            type="button"
            className="primary"
            ref={focusOnMount}
            onClick={() => void write(pending)}
          >
            Change {plural(pending.changes.length, 'record')}
          </button>{' '}
          <button type="button" onClick={() => setPending(null)}>
            Cancel
          </button>
        </div>
      ) : null}
    </section>
  );
}
