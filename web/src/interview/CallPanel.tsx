import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { InterviewCall } from '../endpoints.js';
import { queryKeys, useInterviewCalls } from '../queries.js';
import { messageOf, type Api } from '../api.js';
import { useAnnounce } from '../components/Announcer.js';

export interface CallPanelProps {
  api: Api;
  acquisitionId: string;
  readOnly: boolean;
  /** The call going on (answers carry it), or null. */
  onCall: (call: InterviewCall | null) => void;
}

/** No calls yet. */
const NO_CALLS: InterviewCall[] = [];

const timeOf = (iso: string) =>
  new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

/**
 * The calls of the interview: start one with the customer's contact, take notes during it, end
 * it; answers given meanwhile name the call in their history. The list shows every call.
 */
export function CallPanel({ api, acquisitionId, readOnly, onCall }: CallPanelProps) {
  const announce = useAnnounce();
  const queryClient = useQueryClient();
  const callsQuery = useInterviewCalls(api, acquisitionId);
  const calls = callsQuery.data?.items ?? NO_CALLS;
  const [contact, setContact] = useState('');
  const [notes, setNotes] = useState('');
  const [actionError, setError] = useState('');
  const error = actionError || (callsQuery.error ? messageOf(callsQuery.error) : '');
  const current = calls.find((c) => c.endedAt === null) ?? null;

  // Each time the list is read, the notes box shows the call going on's notes as saved.
  useEffect(() => {
    if (callsQuery.data)
      setNotes(callsQuery.data.items.find((c) => c.endedAt === null)?.notes ?? '');
  }, [callsQuery.data]);
  useEffect(() => onCall(current), [current, onCall]);

  const run = async (action: () => Promise<unknown>, said: string) => {
    setError('');
    try {
      await action();
      await queryClient.invalidateQueries({ queryKey: queryKeys.calls(acquisitionId) });
      announce(said);
    } catch (e) {
      setError(messageOf(e));
      announce(messageOf(e), true);
    }
  };
  const path = `/acquisitions/${acquisitionId}/interview/calls`;

  return (
    <section className="calls" aria-labelledby="calls-heading">
      <h3 id="calls-heading">Calls</h3>
      {current ? (
        <form
          className="call"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => api.send('PATCH', `${path}/${current.id}`, { notes }), 'Notes saved.');
          }}
        >
          <p role="status">
            On a call with <strong>{current.contact}</strong> since {timeOf(current.startedAt)};
            answers are recorded as given in this call.
          </p>
          <div className="field">
            <label htmlFor="call-notes">Call notes</label>
            <textarea
              id="call-notes"
              rows={3}
              value={notes}
              onChange={(e) => setNotes(e.target.value)}
            />
          </div>
          <div className="actions">
            <button type="submit" disabled={readOnly}>
              Save notes
            </button>
            <button
              type="button"
              disabled={readOnly}
              onClick={() =>
                void run(
                  () => api.send('PATCH', `${path}/${current.id}`, { notes, end: true }),
                  'Call ended.',
                )
              }
            >
              End call
            </button>
          </div>
        </form>
      ) : (
        <form
          className="call call--start"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => api.send('POST', path, { contact }), `Call with ${contact} started.`);
            setContact('');
          }}
        >
          <div className="field">
            <label htmlFor="call-contact">Who at the customer are you speaking with?</label>
            <input
              id="call-contact"
              required
              maxLength={200}
              value={contact}
              onChange={(e) => setContact(e.target.value)}
            />
          </div>
          <button type="submit" disabled={readOnly}>
            Start a call
          </button>
        </form>
      )}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {calls.length > 0 ? (
        <ul className="call-list" aria-label="Calls so far">
          {calls.map((c) => (
            <li key={c.id}>
              <span>
                {timeOf(c.startedAt)}: {c.staff} with {c.contact}
                {c.endedAt ? `, ended ${timeOf(c.endedAt)}` : ' (on the call)'}
              </span>
              {c.notes ? <span className="call-list__notes">{c.notes}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
