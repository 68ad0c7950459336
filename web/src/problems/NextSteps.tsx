import { Link } from 'react-router';
import { OWNER_LABEL, plural, problemsHref, type Work } from './work.js';
import './problems.css';

const TARGETS: Record<string, { label: string; href: (id: string) => string }> = {
  links: { label: 'Issue a link', href: () => '#links-heading' },
  problems: { label: 'See what is missing', href: (id) => problemsHref(id, {}) },
  interview: { label: 'Open the interview', href: (id) => `/app/acquisitions/${id}/interview` },
  lifecycle: { label: 'Go to the step', href: () => '#lifecycle' },
  handover: { label: 'Go to the handover', href: () => '#handover-heading' },
};

/**
 * The overview's first answer: what the signed-in role should do next, and who owes what per
 * site. Every count is a link to the problems it counts. Missing answers are open work: the panel
 * never says "no problems" while any is owed.
 */
export function NextSteps({ work, acquisitionId }: { work: Work; acquisitionId: string }) {
  const target = TARGETS[work.next.target];
  const owing = work.owners.filter((o) => o.missing + o.problems + o.followUps > 0);
  return (
    <section aria-labelledby="next-heading" className="next-steps">
      <h2 id="next-heading">Next</h2>
      <p className={`next-action next-action--${work.next.action}`}>
        <strong>{work.next.title}.</strong> {work.next.detail}{' '}
        {target ? (
          target.href(acquisitionId).startsWith('#') ? (
            <a href={target.href(acquisitionId)}>{target.label}</a>
          ) : (
            <Link to={target.href(acquisitionId)}>{target.label}</Link>
          )
        ) : null}
      </p>
      {owing.length === 0 ? (
        <p className="all-done">Every required answer is given, and nothing is left to fix.</p>
      ) : (
        <table className="owes">
          <caption>Who owes what</caption>
          <thead>
            <tr>
              <th scope="col">Who</th>
              <th scope="col">Missing answers</th>
              <th scope="col">Problems</th>
              <th scope="col">Follow-ups</th>
            </tr>
          </thead>
          <tbody>
            {owing.flatMap((o) => [
              <tr key={o.owner} className="owes__owner">
                <th scope="row">
                  <Link to={problemsHref(acquisitionId, { owner: o.owner })}>
                    {OWNER_LABEL[o.owner]}
                  </Link>
                </th>
                <td>{o.missing}</td>
                <td>{o.problems}</td>
                <td>
                  {o.followUps}
                  {o.overdueFollowUps ? ` (${o.overdueFollowUps} overdue)` : ''}
                </td>
              </tr>,
              ...o.sites.map((s) => (
                <tr key={`${o.owner}-${s.site ?? ''}`} className="owes__site">
                  <th scope="row">
                    <Link
                      to={problemsHref(acquisitionId, { owner: o.owner, site: s.site })}
                      aria-label={`${OWNER_LABEL[o.owner]} at ${s.siteName}: ${plural(s.missing, 'missing answer')}, ${plural(s.problems, 'problem')}`}
                    >
                      {s.siteName}
                    </Link>
                  </th>
                  <td>{s.missing}</td>
                  <td>{s.problems}</td>
                  <td>{s.followUps}</td>
                </tr>
              )),
            ])}
          </tbody>
        </table>
      )}
    </section>
  );
}
