import { Link } from 'react-router';
import type { Plan } from '../endpoints.js';
import { ProgressBar } from '../components/ProgressBar.js';

export type { Plan } from '../endpoints.js';

/** The plan as a tree: each site with the records it needs per entity, then what has no site. */
export function PlanTree({ plan, acquisitionId }: { plan: Plan; acquisitionId: string }) {
  const groups = [
    ...plan.sites.map((s) => ({
      site: s.site,
      name: s.name,
      completeness: s.completeness,
    })),
    { site: null, name: 'Across the account', completeness: null },
  ];
  return (
    <ul className="plan-tree">
      {groups.map((g) => {
        const entities = plan.entities
          .map((e) => ({ e, at: e.sites.find((s) => s.site === g.site) }))
          .filter((x) => x.at && x.at.expected + x.at.present > 0);
        if (entities.length === 0) return null;
        return (
          <li key={g.site ?? '-'}>
            <details open>
              <summary>
                <span className="plan-site">{g.name}</span>
                {g.completeness !== null ? (
                  <ProgressBar value={g.completeness} label={`${g.name} completeness`} />
                ) : null}
              </summary>
              <ul>
                {entities.map(({ e, at }) => (
                  <li key={e.entity} className="plan-entity">
                    <Link to={`/app/acquisitions/${acquisitionId}/data?entity=${e.entity}`}>
                      {e.name}
                    </Link>
                    <span className="plan-counts">
                      {at!.complete} of {Math.max(at!.expected, at!.present)} complete
                    </span>
                    <ProgressBar
                      value={at!.complete / Math.max(1, at!.expected, at!.present)}
                      label={`${e.name} at ${g.name}`}
                    />
                  </li>
                ))}
              </ul>
            </details>
          </li>
        );
      })}
    </ul>
  );
}
