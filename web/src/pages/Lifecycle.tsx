import { useState } from 'react';
import { ApiError, messageOf, type ProblemDetail } from '../api.js';
import { useAnnounce } from '../components/Announcer.js';
import { ErrorList } from '../components/ErrorList.js';
import { can, useSignedIn } from '../session.js';
import type { AcquisitionSummary } from '../endpoints.js';

/** Submit, approve and reopen, with every reason when a step is refused. */
export function Lifecycle({
  acquisition,
  onChanged,
  onSelect,
}: {
  acquisition: AcquisitionSummary;
  onChanged: () => Promise<void>;
  onSelect: (pointer: string) => void;
}) {
  const { api, session } = useSignedIn();
  const announce = useAnnounce();
  const [confirmation, setConfirmation] = useState('');
  const [refusal, setRefusal] = useState<{ title: string; details: ProblemDetail[] } | null>(null);
  const [busy, setBusy] = useState(false);

  const step = async (path: 'submit' | 'approve' | 'reopen', body?: unknown) => {
    setBusy(true);
    setRefusal(null);
    try {
      await api.send('POST', `/acquisitions/${acquisition.id}/${path}`, body ?? {});
      announce(`Done: ${path}.`);
      await onChanged();
    } catch (e) {
      setRefusal({
        title: messageOf(e),
        details: e instanceof ApiError ? e.details : [],
      });
    } finally {
      setBusy(false);
    }
  };

  const { state } = acquisition;
  return (
    <div className="lifecycle">
      {state === 'collecting' && can.write(session) ? (
        <button
          type="button"
          className="primary"
          disabled={busy}
          onClick={() => void step('submit')}
        >
          Submit for review
        </button>
      ) : null}
      {state === 'in_review' && can.approve(session) ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void step('approve', { customerConfirmation: confirmation });
          }}
        >
          <div className="field">
            <label htmlFor="confirmation">Customer's confirmation</label>
            <p className="help" id="confirmation-help">
              Who confirmed the data for the customer, and how (e.g. "Email from J. Smith, 3 May").
            </p>
            <input
              id="confirmation"
              aria-describedby="confirmation-help"
              value={confirmation}
              onChange={(e) => setConfirmation(e.target.value)}
            />
          </div>
          <button type="submit" className="primary" disabled={busy}>
            Approve
          </button>
        </form>
      ) : null}
      {(state === 'in_review' || state === 'approved') && can.write(session) ? (
        <button type="button" disabled={busy} onClick={() => void step('reopen')}>
          Reopen for changes
        </button>
      ) : null}
      {refusal ? (
        <ErrorList
          title={refusal.title}
          details={refusal.details.slice(0, 50)}
          onSelect={onSelect}
        />
      ) : null}
    </div>
  );
}
