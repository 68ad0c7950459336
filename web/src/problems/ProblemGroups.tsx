import { useEffect } from 'react';
import { Link, useSearchParams } from 'react-router';
import { groupHref, groupTitle, OWNER_LABEL, plural, problemsHref, type Work } from './work.js';
import './problems.css';

/**
 * The problems grouped by rule, field and site, with counts and the first records by name. Each
 * group opens the data tab at its rows, with the bulk fixes that fit it. With `limit`, the overview's
 * short list; without, the problems tab, filtered by owner and site from the address.
 */
export function ProblemGroups({
  work,
  acquisitionId,
  limit,
}: {
  work: Work;
  acquisitionId: string;
  limit?: number;
}) {
  const [params, setParams] = useSearchParams();
  // For bench:ui: the frame after the groups are first drawn.
  useEffect(() => {
    requestAnimationFrame(() => performance.mark('intake:problem-groups'));
  }, []);
  const owner = limit ? '' : (params.get('owner') ?? '');
  const site = limit ? null : params.get('site');
  const groups = work.groups.filter(
    (g) => (!owner || g.owner === owner) && (site === null || (g.site ?? '') === site),
  );
  const shown = limit ? groups.slice(0, limit) : groups;
  const sites = new Map<string, string>();
  for (const g of work.groups) sites.set(g.site ?? '', g.siteName);
  const filter = (name: 'owner' | 'site', value: string | null) => {
    const next = new URLSearchParams(params);
    if (value === null) next.delete(name);
    else next.set(name, value);
    setParams(next, { replace: true });
  };
  return (
    <div className="problem-groups">
      {limit ? null : (
        <div className="toolbar" role="group" aria-label="Filter the problems">
          <label>
            Who{' '}
            <select value={owner} onChange={(e) => filter('owner', e.target.value || null)}>
              <option value="">Everyone</option>
              {work.owners.map((o) => (
                <option key={o.owner} value={o.owner}>
                  {OWNER_LABEL[o.owner]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Site{' '}
            <select
              value={site === null ? '*' : site}
              onChange={(e) => filter('site', e.target.value === '*' ? null : e.target.value)}
            >
              <option value="*">Every site</option>
              {[...sites].map(([id, name]) => (
                <option key={id} value={id}>
                  {name}
                </option>
              ))}
            </select>
          </label>
        </div>
      )}
      <p className="problem-groups__summary" aria-live="polite">
        {groups.length === 0
          ? work.groups.length === 0
            ? 'Nothing to fix and no answer missing.'
            : 'Nothing here for this filter.'
          : `${plural(
              groups.reduce((n, g) => n + g.count, 0),
              'problem',
            )} in ${plural(groups.length, 'group')}.`}
      </p>
      <ul className="group-list">
        {shown.map((g) => {
          const more = g.count - g.sample.length;
          const fixable = g.sample.some((r) => r.id !== null);
          return (
            <li key={g.key} className={`group group--${g.severity} group--${g.kind}`}>
              <h3 className="group__title">
                {fixable ? (
                  <Link to={groupHref(acquisitionId, g)}>{groupTitle(g)}</Link>
                ) : (
                  groupTitle(g)
                )}
              </h3>
              <p className="group__meta">
                <span className="group__count">{plural(g.count, 'record')}</span>
                {g.site !== null || g.kind === 'missing' ? ` · ${g.siteName}` : ''} ·{' '}
                {OWNER_LABEL[g.owner]} · {g.severity === 'blocking' ? 'blocks review' : 'warning'}
              </p>
              {g.sample.length > 0 ? (
                <p className="group__names">
                  {g.sample.map((r) => r.name).join(', ')}
                  {more > 0 ? `, and ${more} more` : ''}
                </p>
              ) : null}
            </li>
          );
        })}
      </ul>
      {limit && groups.length > shown.length ? (
        <p>
          <Link to={problemsHref(acquisitionId, {})}>
            All {plural(groups.length, 'problem group')}
          </Link>
        </p>
      ) : null}
    </div>
  );
}
