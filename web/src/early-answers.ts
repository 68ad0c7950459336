/**
 * Answers to GETs sent before the page asked for them (early-requests.ts starts them). `Api.get`
 * takes each one once, and only for the same token and path; after that, or after a few seconds,
 * every ask goes to the network as usual.
 */

/** How long an early answer waits to be taken; a page that has not asked by then asks afresh. */
const KEEP_MS = 5_000;

interface Early {
  token: string;
  response: Promise<Response>;
  at: number;
}

const early = new Map<string, Early>();

/** Sends GET `path` with `token` now and keeps its answer for the page to take. */
export function keepEarly(token: string, path: string): Promise<Response> {
  // The body is read as soon as it arrives, while the page's script is still loading: the page
  // then takes an answer held in memory instead of waiting on the network for it.
  const response = fetch(`/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } }).then(
    async (r) =>
      new Response(await r.arrayBuffer(), {
        status: r.status,
        statusText: r.statusText,
        headers: r.headers,
      }),
  );
  // An early ask nobody takes must not surface as an unhandled rejection.
  response.catch(() => undefined);
  early.set(path, { token, response, at: performance.now() });
  return response;
}

/** The early answer to GET `path` with `token`, once; undefined when there is none to take. */
export function takeEarly(token: string, path: string): Promise<Response> | undefined {
  const found = early.get(path);
  if (!found) return undefined;
  early.delete(path);
  if (found.token !== token || performance.now() - found.at > KEEP_MS) return undefined;
  return found.response;
}
