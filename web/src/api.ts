/** The Intake HTTP API as the web application uses it: bearer token, problem+json errors. */

import type { ApiRecord, RecordPage } from '../../src/capture/schemas.js';
import type { ProblemDetail } from '../../src/errors.js';
import { FIRST_RECORDS_PAGE, RECORDS_PAGE, recordsPagePath } from './api-paths.js';
import { takeEarly } from './early-answers.js';

export type { ProblemDetail } from '../../src/errors.js';

/** An error answer of the API, with its stable code and every detail it gave. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ProblemDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type { Role } from '../../src/access/roles.js';
export type { Session } from '../../src/access/schemas.js';
/** A record, and a finding with the JSON pointer to its field, as the API answers them. */
export type { ApiRecord, ApiFinding as Finding } from '../../src/capture/schemas.js';

async function problemOf(response: Response): Promise<ApiError> {
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    const body = (await response.json()) as {
      code?: string;
      detail?: string;
      errors?: ProblemDetail[];
    };
    return new ApiError(
      response.status,
      body.code ?? `http.${response.status}`,
      body.detail ?? response.statusText,
      body.errors ?? [],
    );
  }
  return new ApiError(response.status, `http.${response.status}`, response.statusText);
}

/** A client for one bearer token (a staff API token or a customer link's token). */
export class Api {
  constructor(readonly token: string) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.token}`, ...extra };
  }

  async get<T>(path: string): Promise<T> {
    const response =
      (await takeEarly(this.token, path)) ??
      (await fetch(`/api/v1${path}`, { headers: this.headers() }));
    if (!response.ok) throw await problemOf(response);
    return (await response.json()) as T;
  }

  async send<T>(
    method: 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await fetch(`/api/v1${path}`, {
      method,
      headers: this.headers(
        body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw await problemOf(response);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  async upload<T>(path: string, form: FormData, headers: Record<string, string> = {}) {
    const response = await fetch(`/api/v1${path}`, {
      method: 'POST',
      headers: this.headers(headers),
      body: form,
    });
    if (!response.ok) throw await problemOf(response);
    return (await response.json()) as T;
  }

  /** Downloads a file the API serves (the token cannot ride on a plain link). */
  async download(path: string, fileName: string): Promise<void> {
    const response = await fetch(path.startsWith('/api/') ? path : `/api/v1${path}`, {
      headers: this.headers(),
    });
    if (!response.ok) throw await problemOf(response);
    const url = URL.createObjectURL(await response.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = fileName;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  /** Every record of an entity, page by page; `onPage` sees each page as it arrives. */
  async allRecords(
    acquisitionId: string,
    entity: string,
    onPage?: (records: ApiRecord[], total: number) => void,
    filter = '',
  ): Promise<ApiRecord[]> {
    const all: ApiRecord[] = [];
    // A small first page, so the first screen draws early; then pages of 500 (the API's most).
    for (let offset = 0, limit = FIRST_RECORDS_PAGE; ; offset += limit, limit = RECORDS_PAGE) {
      const page = await this.get<RecordPage>(
        recordsPagePath(acquisitionId, entity, limit, offset, filter),
      );
      all.push(...page.items);
      onPage?.(page.items, page.total);
      if (page.items.length < limit || all.length >= page.total) return all;
    }
  }
}

/** A message for a person from any error. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
