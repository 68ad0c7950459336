import {
  acquisitionListPath,
  acquisitionListQuery,
  acquisitionPath,
  FIRST_RECORDS_PAGE,
  recordsPagePath,
} from './api-paths.js';
import { keepEarly } from './early-answers.js';
import { readLinkToken } from './pages/portal-link.js';
import { storedToken } from './session.js';

/**
 * The first screen's requests, started while the entry script runs: before the page's own script
 * has arrived, been parsed and drawn its "Loading…". The session and what the route's first screen
 * shows go out at once, so the server works while the browser loads the rest of the application.
 * Their answers wait in early-answers.ts for `Api.get`. Nothing is written early: these are the
 * GETs the page would send anyway, a few hundred milliseconds later.
 */

/**
 * The GETs a staff page's first screen sends, from its location: the session, and for an
 * acquisition's page its summary, its form context and what its tab shows first.
 */
export function staffFirstRequests(pathname: string, search: string): string[] {
  const paths = ['/session'];
  const page = /^\/app\/acquisitions\/([^/]+)(?:\/([^/]+))?\/?$/.exec(pathname);
  if (!page)
    return pathname === '/app' || pathname === '/app/'
      ? [...paths, acquisitionListPath(acquisitionListQuery(0))]
      : paths;
  const id = page[1]!;
  const tab = page[2] ?? 'overview';
  const base = acquisitionPath(id);
  paths.push(base, `${base}/forms`);
  if (tab === 'overview') paths.push(`${base}/plan`, `${base}/work`);
  if (tab === 'problems') paths.push(`${base}/work`);
  if (tab === 'data') {
    const params = new URLSearchParams(search);
    const entity = params.get('entity');
    // A problem group's rows are picked from the same pages, so its first page is this one too.
    if (entity) paths.push(recordsPagePath(id, entity, FIRST_RECORDS_PAGE, 0));
  }
  return paths;
}

/**
 * Starts the first screen's requests for the page being opened: its own script first (main.tsx
 * loads the same module lazily; the browser fetches it once), so the server sends it before it
 * works on the data, then the data, when there is a token to send.
 */
export function startEarlyRequests(): void {
  const { pathname, search } = location;
  if (pathname.startsWith('/app')) {
    void import('./pages/StaffApp.js');
    const token = storedToken();
    if (!token) return;
    for (const path of staffFirstRequests(pathname, search)) void keepEarly(token, path);
    return;
  }
  if (pathname === '/portal') {
    void import('./pages/Portal.js');
    const token = readLinkToken();
    if (!token) return;
    // The portal's form context is its link's acquisition's: known once the session answers.
    void keepEarly(token, '/session')
      .then((r) => (r.ok ? r.clone().json() : null))
      .then((session: { link?: { acquisitionId: string } } | null) => {
        if (session?.link)
          void keepEarly(token, `${acquisitionPath(session.link.acquisitionId)}/forms`);
      })
      .catch(() => undefined);
  }
}

// Run as the entry script is evaluated: main.tsx imports this module before React, so the requests
// leave before React's own code is evaluated. (Not in unit tests, which have no page.)
if (typeof location !== 'undefined' && typeof fetch !== 'undefined') startEarlyRequests();
