import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { messageOf, type ApiRecord, type Finding } from '../api.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { EntityRecords } from '../forms/EntityRecords.js';
import { FormModel, type FormContext } from '../forms/form-model.js';
import { ImportWizard } from '../imports/ImportWizard.js';
import { Interview } from '../interview/Interview.js';
import { can, useSignedIn } from '../session.js';
import { stateLabel, type AcquisitionSummary } from './AcquisitionList.js';
import { CustomerLinks } from './CustomerLinks.js';
import { Handover } from './Handover.js';
import { Lifecycle } from './Lifecycle.js';
import { PlanTree, type Plan } from './PlanTree.js';

const TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'data', label: 'Data' },
  { id: 'interview', label: 'Interview' },
  { id: 'import', label: 'Import' },
] as const;

/** Where a finding's pointer leads: the data tab at its record and field. */
export function parsePointer(pointer: string): { recordId: string; field: string } | null {
  const match = /^\/records\/([^/]+)(?:\/values\/([^/]+))?/.exec(pointer);
  if (!match) return null;
  return { recordId: decodeURIComponent(match[1]!), field: match[2] ?? '' };
}

/** One acquisition: the plan, findings and lifecycle; the data; the interview; imports. */
export function AcquisitionPage() {
  const { api, session } = useSignedIn();
  const { id = '', tab = 'overview' } = useParams();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [acquisition, setAcquisition] = useState<AcquisitionSummary | null>(null);
  const [plan, setPlan] = useState<Plan | null>(null);
  const [findings, setFindings] = useState<Finding[] | null>(null);
  const [context, setContext] = useState<FormContext | null>(null);
  const [error, setError] = useState('');

  // The summary and the form context are all the data, interview and import tabs need; the plan
  // and the findings of a large acquisition take longer to work out, so only the overview asks.
  const refreshSummary = useCallback(async () => {
    try {
      setAcquisition(await api.get<AcquisitionSummary>(`/acquisitions/${id}`));
    } catch (e) {
      setError(messageOf(e));
    }
  }, [api, id]);
  const refreshOverview = useCallback(async () => {
    try {
      const [p, f] = await Promise.all([
        api.get<Plan>(`/acquisitions/${id}/plan`),
        api.get<{ items: Finding[] }>(`/acquisitions/${id}/findings`),
      ]);
      setPlan(p);
      setFindings(f.items);
    } catch (e) {
      setError(messageOf(e));
    }
  }, [api, id]);
  const onOverview = tab === 'overview';
  const refresh = useCallback(async () => {
    await Promise.all([refreshSummary(), onOverview ? refreshOverview() : undefined]);
  }, [refreshSummary, refreshOverview, onOverview]);

  useEffect(() => {
    void refreshSummary();
    api
      .get<FormContext>(`/acquisitions/${id}/forms`)
      .then(setContext)
      .catch((e: unknown) => setError(messageOf(e)));
  }, [api, id, refreshSummary]);
  useEffect(() => {
    if (onOverview) void refreshOverview();
  }, [onOverview, refreshOverview]);

  const model = useMemo(() => (context ? new FormModel(context) : null), [context]);
  const goTo = useCallback(
    (pointer: string) => {
      const target = parsePointer(pointer);
      if (!target) return;
      api
        .get<ApiRecord>(`/acquisitions/${id}/records/${encodeURIComponent(target.recordId)}`)
        .then((record) => {
          const query = new URLSearchParams({
            entity: record.entity,
            ...target,
            record: target.recordId,
          });
          query.delete('recordId');
          void navigate(`/app/acquisitions/${id}/data?${query}`);
        })
        .catch((e: unknown) => setError(messageOf(e)));
    },
    [api, navigate, id],
  );

  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!acquisition || !model) return <p aria-busy="true">Loading…</p>;

  const writable = can.write(session) && acquisition.state === 'collecting';
  const entityId = params.get('entity') ?? model.context.entities[0]?.id ?? '';
  const entity = model.entities.get(entityId);
  const focusRecord = params.get('record');
  return (
    <>
      <p className="breadcrumb">
        <Link to="/app">Acquisitions</Link> › {acquisition.customerName}
      </p>
      <h1>
        {acquisition.customerName}{' '}
        <span className={`state state--${acquisition.state}`}>{stateLabel(acquisition.state)}</span>
      </h1>
      <p className="subtitle">Proposal {acquisition.proposalReference}</p>
      <ProgressBar
        value={acquisition.completeness}
        label="Completeness of the acquisition"
        detail={`${acquisition.satisfiedFields} of ${acquisition.requiredFields} required answers`}
      />
      <nav className="tabs" aria-label="Acquisition sections">
        {TABS.map((t) => (
          <Link
            key={t.id}
            to={`/app/acquisitions/${id}/${t.id}`}
            aria-current={tab === t.id ? 'page' : undefined}
          >
            {t.label}
          </Link>
        ))}
      </nav>
      {tab === 'overview' ? (
        <div className="overview">
          <section aria-labelledby="plan-heading">
            <h2 id="plan-heading">What the proposal needs</h2>
            {plan ? (
              <PlanTree plan={plan} acquisitionId={id} />
            ) : (
              <p aria-busy="true">Working out the plan…</p>
            )}
          </section>
          <aside aria-labelledby="findings-heading" className="findings">
            <h2 id="findings-heading">
              Problems
              {findings
                ? ` (${findings.filter((f) => f.severity === 'blocking').length} blocking)`
                : ''}
            </h2>
            <Lifecycle acquisition={acquisition} onChanged={refresh} onSelect={goTo} />
            <Handover
              acquisition={acquisition}
              entities={model.context.entities
                .filter((e) => e.present > 0)
                .map((e) => ({ id: e.id, name: e.name }))}
              onChanged={refresh}
            />
            {findings ? (
              <FindingsPanel findings={findings} model={model} plan={plan} onSelect={goTo} />
            ) : (
              <p aria-busy="true">Looking for problems…</p>
            )}
            {can.open(session) ? (
              <CustomerLinks acquisitionId={id} state={acquisition.state} />
            ) : null}
          </aside>
        </div>
      ) : null}
      {tab === 'data' ? (
        <div className="data">
          <nav className="entity-nav" aria-label="Entities">
            <ul>
              {model.context.entities.map((e) => (
                <li key={e.id}>
                  <Link
                    to={`/app/acquisitions/${id}/data?entity=${e.id}`}
                    aria-current={e.id === entityId ? 'page' : undefined}
                  >
                    {e.name} <span className="count">{e.expected}</span>
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <section aria-labelledby="entity-heading" className="entity-pane">
            <h2 id="entity-heading">{entity?.name ?? 'Nothing to capture'}</h2>
            {entity ? (
              <EntityRecords
                key={entity.id}
                api={api}
                model={model}
                entity={entity}
                readOnly={!writable}
                showHistory
                focus={
                  focusRecord
                    ? { recordId: focusRecord, field: params.get('field') ?? '' }
                    : undefined
                }
                onSaved={() => void refresh()}
              />
            ) : null}
          </section>
        </div>
      ) : null}
      {tab === 'interview' ? (
        <Interview api={api} acquisitionId={id} readOnly={!writable} onAnswered={refresh} />
      ) : null}
      {tab === 'import' ? (
        <ImportWizard
          api={api}
          acquisitionId={id}
          entities={model.context.entities}
          readOnly={!writable}
          onApplied={refresh}
        />
      ) : null}
    </>
  );
}

/** The acquisition's problems; choosing one opens its record at its field. */
function FindingsPanel({
  findings,
  model,
  plan,
  onSelect,
}: {
  findings: Finding[];
  model: FormModel;
  /** The plan, for the answers still missing. */
  plan: Plan | null;
  onSelect: (pointer: string) => void;
}) {
  if (findings.length === 0) {
    // Missing answers are open work too: never "no problems" while some are owed.
    const owed = (plan?.owners ?? []).filter((o) => o.missingFields > 0);
    const total = owed.reduce((n, o) => n + o.missingFields, 0);
    if (!plan) return <p>No problems in the answers given so far.</p>;
    return total === 0 ? (
      <p>No problems, and every required answer is given.</p>
    ) : (
      <p className="open-work">
        No problems in the answers given so far, but {total} required{' '}
        {total === 1 ? 'answer is' : 'answers are'} still missing:{' '}
        {owed.map((o) => `${o.missingFields} from ${o.owner}`).join(', ')}.
      </p>
    );
  }
  const label = (f: Finding) => {
    const entity = model.entities.get(f.entity);
    const field = entity?.fields.find((x) => x.id === f.field);
    return `${entity?.name ?? f.entity}${field ? ` · ${field.label}` : ''}`;
  };
  return (
    <ul className="finding-list">
      {findings.slice(0, 200).map((f, i) => (
        <li key={`${f.pointer}-${f.rule}-${i}`} className={`finding finding--${f.severity}`}>
          <button type="button" className="link" onClick={() => onSelect(f.pointer)}>
            <span className="finding__where">{label(f)}</span>
            <span className="finding__message">{f.message}</span>
          </button>
          <span className="visually-hidden">{f.severity}</span>
        </li>
      ))}
      {findings.length > 200 ? <li>… and {findings.length - 200} more</li> : null}
    </ul>
  );
}
