import { useState } from 'react';
import { Link } from 'react-router';
import { messageOf } from '../api.js';
import { ACQUISITIONS_PAGE, acquisitionListQuery } from '../api-paths.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { useAcquisitionList } from '../queries.js';
import { useSignedIn } from '../session.js';
import { useDebounced } from './use-debounced.js';

const STATES = ['collecting', 'in_review', 'approved', 'handed_over', 'cancelled'];
export const stateLabel = (state: string) => state.replace('_', ' ');

/** Every acquisition with how complete it is and what needs attention, searchable and filtered. */
export function AcquisitionList() {
  const { api, session } = useSignedIn();
  const [search, setSearch] = useState('');
  const [state, setState] = useState('');
  const [attention, setAttention] = useState(false);
  const [mine, setMine] = useState(false);
  const [offset, setOffset] = useState(0);
  const query = acquisitionListQuery(offset);
  if (search.trim()) query.set('search', search.trim());
  if (state) query.set('state', state);
  // Typing in the search asks once the text settles, not at each key.
  const settled = useDebounced(query.toString(), 150);
  const list = useAcquisitionList(api, new URLSearchParams(settled));
  const page = list.data ?? null;
  const error = list.error ? messageOf(list.error) : '';

  const today = new Date().toISOString().slice(0, 10);
  const items = (page?.items ?? []).filter(
    (a) =>
      (!attention ||
        a.blockingFindings > 0 ||
        (a.nextFollowUp !== null && a.nextFollowUp <= today)) &&
      (!mine || a.createdBy === session.name),
  );
  return (
    <>
      <h1>Acquisitions</h1>
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="search">Customer or proposal</label>
          <input
            id="search"
            type="search"
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
              setOffset(0);
            }}
          />
        </div>
        <div className="field">
          <label htmlFor="state">State</label>
          <select
            id="state"
            value={state}
            onChange={(e) => {
              setState(e.target.value);
              setOffset(0);
            }}
          >
            <option value="">Any state</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {stateLabel(s)}
              </option>
            ))}
          </select>
        </div>
        <div className="checkbox">
          <input
            id="attention"
            type="checkbox"
            checked={attention}
            onChange={(e) => setAttention(e.target.checked)}
          />
          <label htmlFor="attention">Needs attention</label>
        </div>
        <div className="checkbox">
          <input
            id="mine"
            type="checkbox"
            checked={mine}
            onChange={(e) => setMine(e.target.checked)}
          />
          <label htmlFor="mine">Opened by me</label>
        </div>
      </form>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {!page ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <>
          <table className="list">
            <caption className="visually-hidden">Acquisitions, {page.total} in all</caption>
            <thead>
              <tr>
                <th scope="col">Customer</th>
                <th scope="col">Proposal</th>
                <th scope="col">State</th>
                <th scope="col">Completeness</th>
                <th scope="col">Blocking problems</th>
                <th scope="col">Owner</th>
                <th scope="col">Follow-ups</th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.id}>
                  <td>
                    <Link to={`/app/acquisitions/${a.id}`}>{a.customerName}</Link>
                  </td>
                  <td>{a.proposalReference}</td>
                  <td>
                    <span className={`state state--${a.state}`}>{stateLabel(a.state)}</span>
                  </td>
                  <td>
                    <ProgressBar value={a.completeness} label={`${a.customerName} completeness`} />
                  </td>
                  <td className={a.blockingFindings ? 'count count--bad' : 'count'}>
                    {a.blockingFindings}
                  </td>
                  <td>{a.createdBy}</td>
                  <td>
                    {a.openFollowUps ? (
                      <span className={a.nextFollowUp && a.nextFollowUp <= today ? 'due' : ''}>
                        {a.openFollowUps} open, next {a.nextFollowUp}
                      </span>
                    ) : (
                      'none'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {items.length === 0 ? <p>No acquisition matches.</p> : null}
          <nav className="pager" aria-label="Pages">
            <button
              type="button"
              disabled={offset === 0}
              onClick={() => setOffset(offset - ACQUISITIONS_PAGE)}
            >
              Previous
            </button>
            <span>
              {page.total === 0 ? 0 : offset + 1}–{Math.min(offset + ACQUISITIONS_PAGE, page.total)}{' '}
              of {page.total}
            </span>
            <button
              type="button"
              disabled={offset + ACQUISITIONS_PAGE >= page.total}
              onClick={() => setOffset(offset + ACQUISITIONS_PAGE)}
            >
              Next
            </button>
          </nav>
        </>
      )}
    </>
  );
}
