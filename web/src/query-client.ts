import { QueryClient } from '@tanstack/react-query';

/**
 * The cache of the API's answers for one side of the application (the staff workspace, or the
 * portal). An answer is asked again when a page that shows it opens and after a write that changes
 * it (see `queries.ts`), not when the window regains focus: a person filling a form in another
 * window must not see the page they come back to reload under them.
 *
 * No retries: the errors the pages must show (401 on an expired link, 404 on a fixed problem group,
 * 412 on a stale version) come from the API at once, and a retry would only hide or delay them.
 */
export function newQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: false, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
}
