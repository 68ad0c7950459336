import { useState } from 'react';
import { messageOf } from '../api.js';
import type { HandoverSummary } from '../../../src/handover/handover-service.js';
import { useHandoverSummary } from '../queries.js';
import { useAnnounce } from '../components/Announcer.js';
import { can, useSignedIn } from '../session.js';
import type { AcquisitionSummary } from '../endpoints.js';

/**
 * The handover on screen, once an acquisition is approved: hand it over (engineering), what was
 * sent and what the order system answered, a retry after a failure, and the downloads provisioning
 * works from (the ProductOrder, the exports as XLSX or one entity as CSV, the whole package).
 */
export function Handover({
  acquisition,
  entities,
  onChanged,
}: {
  acquisition: AcquisitionSummary;
  /** The entities that have records, for the CSV exports. */
  entities: { id: string; name: string }[];
  onChanged: () => Promise<void>;
}) {
  const { api, session } = useSignedIn();
  const announce = useAnnounce();
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<'pending' | null>(null);
  const [localError, setError] = useState('');
  const [entity, setEntity] = useState(entities[0]?.id ?? '');
  const { state, orderId, handoverError, id } = acquisition;
  const ready = state === 'approved' || state === 'handed_over';
  // Asked again whenever the handover moves on: the state, the order, an error, a send.
  const version = [state, orderId, handoverError, sent].join('|');
  const summaryQuery = useHandoverSummary(api, id, version, ready);
  const summary = summaryQuery.data ?? null;
  const error = localError || (summaryQuery.error ? messageOf(summaryQuery.error) : '');
  if (!ready) return null;
  const base = `/acquisitions/${id}/handover`;
  const file = (suffix: string) => `${acquisition.proposalReference}-${suffix}`;

  const handOver = async () => {
    setBusy(true);
    setError('');
    try {
      const result = await api.send<{ status: string }>('POST', base, {});
      if (result.status === 'pending') {
        setSent('pending');
        announce('Sent to the order system; waiting for its answer.');
      } else announce('Handed over.');
      await onChanged();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  const download = (path: string, name: string) =>
    void api.download(path, name).catch((e: unknown) => setError(messageOf(e)));

  return (
    <section className="handover" aria-labelledby="handover-heading">
      <h2 id="handover-heading">Handover</h2>
      {state === 'handed_over' ? (
        <p role="status">
          Handed over{orderId ? `: the order system accepted it as order ${orderId}` : ''}.
        </p>
      ) : handoverError ? (
        <p role="alert" className="error">
          The last handover failed: {handoverError}
        </p>
      ) : sent ? (
        <p role="status">Sent to the order system; waiting for its answer.</p>
      ) : (
        <p>Approved and ready to hand over to order management and provisioning.</p>
      )}
      {summary ? <SentSummary summary={summary} /> : null}
      {state === 'approved' && can.approve(session) ? (
        <button type="button" className="primary" disabled={busy} onClick={() => void handOver()}>
          {handoverError ? 'Try the handover again' : 'Hand over'}
        </button>
      ) : null}
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
      <h3>Downloads</h3>
      <div className="actions">
        <button
          type="button"
          onClick={() => download(`${base}/product-order`, file('product-order.json'))}
        >
          ProductOrder (JSON)
        </button>
        <button type="button" onClick={() => download(`${base}/exports`, file('exports.xlsx'))}>
          Provisioning exports (XLSX)
        </button>
        <button type="button" onClick={() => download(`${base}/package`, file('package.json'))}>
          Handover package (JSON)
        </button>
      </div>
      {entities.length > 0 ? (
        <form
          className="actions"
          onSubmit={(e) => {
            e.preventDefault();
            download(`${base}/exports?entity=${encodeURIComponent(entity)}`, file(`${entity}.csv`));
          }}
        >
          <label htmlFor="export-entity">One export as CSV</label>
          <select id="export-entity" value={entity} onChange={(e) => setEntity(e.target.value)}>
            {entities.map((e) => (
              <option key={e.id} value={e.id}>
                {e.name}
              </option>
            ))}
          </select>
          <button type="submit">Download CSV</button>
        </form>
      ) : null}
    </section>
  );
}

const when = (iso: string) => new Date(iso).toLocaleString();

/** What the handover sends, per product, and the order system's answer so far. */
function SentSummary({ summary }: { summary: HandoverSummary }) {
  const { delivery } = summary;
  return (
    <div className="handover-summary">
      <h3>{summary.state === 'handed_over' ? 'What was sent' : 'What will be sent'}</h3>
      <p>
        One ProductOrder of {summary.items} item{summary.items === 1 ? '' : 's'}
        {summary.orderId ? `, order ${summary.orderId}` : ''}:
      </p>
      <ul>
        {summary.products.map((p) => (
          <li key={p.id}>
            {p.name} × {p.quantity}, with {p.records} record{p.records === 1 ? '' : 's'}
          </li>
        ))}
      </ul>
      {delivery ? (
        <p className="handover-delivery">
          {delivery.status === 'delivered'
            ? `The order system accepted it${delivery.deliveredAt ? ` on ${when(delivery.deliveredAt)}` : ''}`
            : delivery.status === 'dead'
              ? 'The order system did not take it; delivery has stopped'
              : delivery.attempts === 0
                ? 'Queued for the order system: it is sent within seconds'
                : 'Waiting for the order system'}
          {delivery.attempts > 1 || (delivery.attempts === 1 && delivery.status !== 'delivered')
            ? ` after ${delivery.attempts} attempt${delivery.attempts === 1 ? '' : 's'}`
            : ''}
          {delivery.lastError && delivery.status !== 'delivered'
            ? `. Its last answer: ${delivery.lastError}`
            : ''}
          {delivery.nextAttemptAt && delivery.attempts > 0
            ? `. Next try ${when(delivery.nextAttemptAt)}`
            : ''}
          .
        </p>
      ) : summary.state === 'handed_over' && !summary.orderSystem ? (
        <p className="handover-delivery">
          No order system is connected: the package was handed over as it stands.
        </p>
      ) : null}
    </div>
  );
}
