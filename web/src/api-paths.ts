/**
 * API paths the web application builds in more than one place, written once: the typed endpoints,
 * the paged record reader and the first screen's early requests must ask for exactly the same
 * path, or an early answer waits unused.
 */

/** An acquisition's own path, the base of everything about it. */
export const acquisitionPath = (id: string) => `/acquisitions/${id}`;

/** The first page of records is small, so the first screen draws early; then pages of 500. */
export const FIRST_RECORDS_PAGE = 100;
export const RECORDS_PAGE = 500;

/** One page of an entity's records (`filter`: more query parameters, each starting with `&`). */
export const recordsPagePath = (
  acquisitionId: string,
  entity: string,
  limit: number,
  offset: number,
  filter = '',
) =>
  `${acquisitionPath(acquisitionId)}/records?entity=${encodeURIComponent(entity)}&limit=${limit}&offset=${offset}${filter}`;

/** Acquisitions listed per page. */
export const ACQUISITIONS_PAGE = 25;

/** A page of the acquisition list; `query` holds limit, offset, search and state. */
export const acquisitionListPath = (query: URLSearchParams) => `/acquisitions?${query}`;

/** The list's query for a page: limit and offset first, as the first screen's early request has them. */
export const acquisitionListQuery = (offset: number) =>
  new URLSearchParams({ limit: String(ACQUISITIONS_PAGE), offset: String(offset) });
