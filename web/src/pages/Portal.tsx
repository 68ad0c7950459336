import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { Api, ApiError, messageOf, type ProblemDetail } from '../api.js';
import { useAnnounce } from '../components/Announcer.js';
import { ErrorList } from '../components/ErrorList.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { EntityRecords } from '../forms/EntityRecords.js';
import { FormModel, type PortalContext } from '../forms/form-model.js';
import { ImportWizard } from '../imports/ImportWizard.js';
import { getRecord } from '../endpoints.js';
import { portalContextKey, usePortalContext } from '../queries.js';
import { newQueryClient } from '../query-client.js';
import { parsePointer } from './pointer.js';
import { useLinkToken } from './portal-link.js';
import { useNarrowScreen } from './use-narrow-screen.js';

/**
 * Moves to a part of the page without touching the URL: its fragment holds the link's token
 * (an anchor link would replace it, and the next request would carry the anchor as the token).
 */
function scrollToPart(id: string, focusId = id): void {
  document.getElementById(id)?.scrollIntoView();
  document.getElementById(focusId)?.focus();
}

/**
 * The customer's portal at the link sales sent: only the customer's part of that one
 * acquisition, in plain language; the same forms, grid and import as staff use; saves as you go;
 * "submit my part" when done. Laid out for a phone first.
 */
export function Portal() {
  const token = useLinkToken();
  const api = useMemo(() => (token ? new Api(token) : null), [token]);
  const [queryClient] = useState(newQueryClient);
  if (!api)
    return (
      <main id="main" className="portal">
        <h1>Intake</h1>
        <p>This page opens from the link you were sent by email. Please use that link.</p>
      </main>
    );
  return (
    <QueryClientProvider client={queryClient}>
      <PortalLoader api={api} />
    </QueryClientProvider>
  );
}

/** The link's form context, or why it cannot be had (an expired or withdrawn link). */
function PortalLoader({ api }: { api: Api }) {
  const query = usePortalContext(api);
  const [error, setError] = useState('');
  const failure = query.error;
  const shown =
    error ||
    (failure
      ? failure instanceof ApiError && failure.status === 401
        ? 'This link is not valid any more: it may have expired or been withdrawn. Ask your contact at the operator for a new one.'
        : messageOf(failure)
      : '');
  if (shown)
    return (
      <main id="main" className="portal">
        <h1>Intake</h1>
        <p className="error" role="alert">
          {shown}
        </p>
      </main>
    );
  if (!query.data)
    return (
      <main id="main" className="portal">
        <p aria-busy="true">Loading your details…</p>
      </main>
    );
  return <PortalForms api={api} context={query.data} onError={setError} />;
}

/** The customer's part: their sections, the import, and "submit my part". */
function PortalForms({
  api,
  context,
  onError,
}: {
  api: Api;
  context: PortalContext;
  onError: (message: string) => void;
}) {
  const announce = useAnnounce();
  const narrow = useNarrowScreen();
  const queryClient = useQueryClient();
  const [refusal, setRefusal] = useState<{ title: string; details: ProblemDetail[] } | null>(null);
  const [focus, setFocus] = useState<{ entity: string; recordId: string; field: string } | null>(
    null,
  );
  const [busy, setBusy] = useState(false);
  // Sections with answers still to give start open; the customer opens and closes the others.
  const [openSections, setOpenSections] = useState<Set<string>>(
    () => new Set(context.entities.filter((e) => e.missing).map((e) => e.id)),
  );
  const reload = useCallback(
    () => queryClient.invalidateQueries({ queryKey: portalContextKey }),
    [queryClient],
  );

  // Progress is worked out from the whole plan on the server: after a burst of saves (a field
  // left every few seconds), ask once, not after each of them.
  const progressTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const progressChanged = useCallback(() => {
    clearTimeout(progressTimer.current);
    progressTimer.current = setTimeout(() => void reload(), 800);
  }, [reload]);
  useEffect(() => () => clearTimeout(progressTimer.current), []);

  const model = useMemo(() => new FormModel(context), [context]);
  // For bench:ui: the frame after the first screen (the greeting and the sections) is drawn.
  useEffect(() => {
    requestAnimationFrame(() => performance.mark('intake:portal-first-screen'));
  }, []);

  const acquisitionId = context.acquisition.id;
  const writable = context.acquisition.state === 'collecting';
  const submit = async () => {
    setBusy(true);
    setRefusal(null);
    try {
      const result = await api.send<{ submittedAt: string }>(
        'POST',
        `/acquisitions/${acquisitionId}/customer-part/submit`,
      );
      queryClient.setQueryData<PortalContext>(portalContextKey, (current) =>
        current ? { ...current, submittedAt: result.submittedAt } : current,
      );
      announce('Thank you. Your part is submitted.');
    } catch (e) {
      const title = messageOf(e);
      // The refusal is an alert of its own (read out at once); no second announcement.
      setRefusal({ title, details: e instanceof ApiError ? e.details : [] });
    } finally {
      setBusy(false);
    }
  };
  const goTo = (pointer: string) => {
    const target = parsePointer(pointer);
    if (!target) return;
    getRecord(api, acquisitionId, target.recordId)
      .then((r) => {
        setFocus({ entity: r.entity, ...target });
        scrollToPart(`entity-${r.entity}`);
      })
      .catch((e: unknown) => onError(messageOf(e)));
  };

  return (
    <>
      <a
        className="skip-link"
        href="#main"
        onClick={(event) => {
          event.preventDefault();
          scrollToPart('main');
        }}
      >
        Skip to content
      </a>
      <header className="topbar topbar--portal">
        <span className="brand">Intake</span>
        <span className="who">{context.acquisition.customerName}</span>
      </header>
      <main id="main" className="portal" tabIndex={-1}>
        <h1>{context.contactName ? `Hello ${context.contactName}` : 'Your details'}</h1>
        <p>
          {context.acquisition.customerName} has ordered services that need some details from you
          before they can be set up. Fill in what you know; every answer is saved as soon as you
          leave the field, so you can stop and come back with the same link.
        </p>
        <ProgressBar
          value={context.progress.completeness}
          label="Your part"
          detail={`${context.progress.satisfiedFields} of ${context.progress.requiredFields} answers`}
        />
        <PortalStatus state={context.acquisition.state} submittedAt={context.submittedAt} />
        <nav aria-label="Your part" className="portal-nav">
          <ul>
            {context.entities.map((e) => (
              <li key={e.id}>
                <button
                  type="button"
                  className="link"
                  onClick={() => {
                    setOpenSections((current) => new Set(current).add(e.id));
                    scrollToPart(`entity-${e.id}`, `toggle-${e.id}`);
                  }}
                >
                  {e.name}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        {context.entities.map((entity) => {
          const open = openSections.has(entity.id) || focus?.entity === entity.id;
          return (
            <section key={entity.id} id={`entity-${entity.id}`} aria-labelledby={`h-${entity.id}`}>
              <h2 id={`h-${entity.id}`} className="portal-section">
                <button
                  type="button"
                  id={`toggle-${entity.id}`}
                  aria-expanded={open}
                  aria-controls={`body-${entity.id}`}
                  onClick={() =>
                    setOpenSections((current) => {
                      const next = new Set(current);
                      if (open) next.delete(entity.id);
                      else next.add(entity.id);
                      return next;
                    })
                  }
                >
                  <span>{entity.name}</span>
                  <span className="portal-section__state">
                    {entity.missing
                      ? `${entity.missing} answer${entity.missing === 1 ? '' : 's'} to give`
                      : 'complete'}
                  </span>
                </button>
              </h2>
              {open ? (
                <div id={`body-${entity.id}`}>
                  <EntityRecords
                    api={api}
                    model={model}
                    entity={entity}
                    readOnly={!writable}
                    focus={focus?.entity === entity.id ? focus : undefined}
                    onSaved={progressChanged}
                    cards={narrow}
                  />
                </div>
              ) : null}
            </section>
          );
        })}
        <details className="portal-import">
          <summary>Prefer a spreadsheet? Upload one instead</summary>
          <ImportWizard
            api={api}
            acquisitionId={acquisitionId}
            entities={context.entities}
            readOnly={!writable}
            onApplied={reload}
          />
        </details>
        <section aria-labelledby="submit-heading" className="submit-part">
          <h2 id="submit-heading">Done?</h2>
          <p>When every answer is in, submit your part so the team can prepare your order.</p>
          {refusal ? (
            <ErrorList
              title={refusal.title}
              details={refusal.details.slice(0, 50)}
              onSelect={goTo}
            />
          ) : null}
          <button
            type="button"
            className="primary"
            disabled={busy || !writable}
            onClick={() => void submit()}
          >
            Submit my part
          </button>
        </section>
      </main>
    </>
  );
}

/** One plain sentence of where the order stands for the customer, never two that disagree. */
function PortalStatus({ state, submittedAt }: { state: string; submittedAt: string | null }) {
  const submitted = submittedAt ? new Date(submittedAt).toLocaleString() : null;
  switch (state) {
    case 'collecting':
      return submitted ? (
        <p className="alert" role="status">
          You submitted your part on {submitted}. You can still correct answers until we start
          reviewing the order.
        </p>
      ) : null;
    case 'in_review':
    case 'approved':
      return (
        <p className="alert" role="status">
          Thank you: your answers are with us and the order is being checked, so they cannot be
          changed now. If something is wrong, tell the person who sent you this link.
        </p>
      );
    case 'handed_over':
      return (
        <p className="alert" role="status">
          Received, thank you. Your order has been passed on to be set up; nothing more is needed
          from you.
        </p>
      );
    default:
      return (
        <p className="alert" role="status">
          This order was cancelled; nothing more is needed from you.
        </p>
      );
  }
}
