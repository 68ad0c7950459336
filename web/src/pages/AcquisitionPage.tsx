import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { messageOf } from '../api.js';
import { getRecord } from '../endpoints.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { EntityRecords } from '../forms/EntityRecords.js';
import { FormModel } from '../forms/form-model.js';
import { ImportWizard } from '../imports/ImportWizard.js';
import { Interview } from '../interview/Interview.js';
import { GroupFix } from '../problems/GroupFix.js';
import { NextSteps } from '../problems/NextSteps.js';
import { ProblemGroups } from '../problems/ProblemGroups.js';
import { entityOfGroupKey } from '../problems/work.js';
import {
  useAcquisition,
  useFormContext,
  usePlan,
  useRefreshAcquisition,
  useWork,
} from '../queries.js';
import { can, useSignedIn } from '../session.js';
import { stateLabel } from './AcquisitionList.js';
import { CustomerLinks } from './CustomerLinks.js';
import { Handover } from './Handover.js';
import { Lifecycle } from './Lifecycle.js';
import { parsePointer } from './pointer.js';
import { PlanTree } from './PlanTree.js';

const TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'problems', label: 'Problems' },
  { id: 'data', label: 'Data' },
  { id: 'interview', label: 'Interview' },
  { id: 'import', label: 'Import' },
] as const;

/** One acquisition: the plan, findings and lifecycle; the data; the interview; imports. */
export function AcquisitionPage() {
  const { api, session } = useSignedIn();
  const { id = '', tab = 'overview' } = useParams();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  /**
   * The records of the problem group the data tab is narrowed to: undefined while it loads, null
   * once the group is gone (fixed), when every record shows again.
   */
  const [groupIds, setGroupIds] = useState<ReadonlySet<string> | null | undefined>(undefined);
  const [goToError, setGoToError] = useState('');

  // The summary and the form context are all the data, interview and import tabs need; the plan
  // and the work list of a large acquisition take longer to work out, so only the overview and the
  // problems tab ask.
  const onOverview = tab === 'overview' || tab === 'problems';
  const summary = useAcquisition(api, id);
  const forms = useFormContext(api, id);
  const planQuery = usePlan(api, id, tab === 'overview');
  const workQuery = useWork(api, id, onOverview);
  const refresh = useRefreshAcquisition(id);
  const acquisition = summary.data ?? null;
  const context = forms.data ?? null;
  const plan = planQuery.data ?? null;
  const work = workQuery.data ?? null;
  const failure = [summary, forms, planQuery, workQuery].find((q) => q.error)?.error;
  const error = goToError || (failure ? messageOf(failure) : '');

  const groupKey = tab === 'data' ? params.get('group') : null;
  useEffect(() => setGroupIds(undefined), [groupKey]);

  const model = useMemo(() => (context ? new FormModel(context) : null), [context]);
  const goTo = useCallback(
    (pointer: string) => {
      if (pointer.startsWith('/groups/')) {
        const key = decodeURIComponent(pointer.slice('/groups/'.length));
        const query = new URLSearchParams({ entity: entityOfGroupKey(key), group: key });
        void navigate(`/app/acquisitions/${id}/data?${query}`);
        return;
      }
      const target = parsePointer(pointer);
      if (!target) return;
      getRecord(api, id, target.recordId)
        .then((record) => {
          const query = new URLSearchParams({
            entity: record.entity,
            ...target,
            record: target.recordId,
          });
          query.delete('recordId');
          void navigate(`/app/acquisitions/${id}/data?${query}`);
        })
        .catch((e: unknown) => setGoToError(messageOf(e)));
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
        work ? (
          <NextSteps work={work} acquisitionId={id} />
        ) : (
          <p aria-busy="true">Working out what is left to do…</p>
        )
      ) : null}
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
          <aside aria-label="Steps and problems" className="findings">
            <div id="lifecycle">
              <Lifecycle acquisition={acquisition} onChanged={refresh} onSelect={goTo} />
            </div>
            <Handover
              acquisition={acquisition}
              entities={model.context.entities
                .filter((e) => e.present > 0)
                .map((e) => ({ id: e.id, name: e.name }))}
              onChanged={refresh}
            />
            {work && work.groups.length > 0 ? (
              <section aria-labelledby="findings-heading">
                <h2 id="findings-heading">
                  Problems ({work.groups.filter((g) => g.severity === 'blocking').length} groups
                  block review)
                </h2>
                <ProblemGroups work={work} acquisitionId={id} limit={6} />
              </section>
            ) : null}
            {can.open(session) ? (
              <CustomerLinks acquisitionId={id} state={acquisition.state} />
            ) : null}
          </aside>
        </div>
      ) : null}
      {tab === 'problems' ? (
        <section aria-labelledby="problems-heading">
          <h2 id="problems-heading">Problems and missing answers</h2>
          {work ? (
            <ProblemGroups work={work} acquisitionId={id} />
          ) : (
            <p aria-busy="true">Grouping the problems…</p>
          )}
        </section>
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
            {groupKey ? (
              <GroupFix
                key={groupKey}
                api={api}
                model={model}
                groupKey={groupKey}
                writable={writable}
                onGroup={setGroupIds}
                onWritten={() => void refresh()}
              />
            ) : null}
            {entity && (!groupKey || groupIds !== undefined) ? (
              <EntityRecords
                key={`${entity.id}-${groupKey ?? ''}`}
                only={groupKey ? (groupIds ?? undefined) : undefined}
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
