import type { Principal } from '../access/roles.js';
import type { AcquisitionService } from './acquisition-service.js';
import { AppError } from '../errors.js';

export const quoteErrors = {
  notConfigured: () =>
    new AppError(
      'quote.not-configured',
      503,
      'Intake has no quote system to fetch quotes from: set INTAKE_QUOTE_API_URL.',
    ),
  invalidId: (id: string) =>
    new AppError(
      'quote.id-invalid',
      422,
      `The quote id "${id.slice(0, 200)}" cannot name a quote: "." and ".." are path segments, not ids, and an id must be well-formed Unicode text.`,
      [
        {
          pointer: '/event/quote/id',
          detail: 'must not be "." or "..", nor hold half of a surrogate pair',
        },
      ],
    ),
  unreachable: (id: string, reason: string) =>
    new AppError(
      'quote.unreachable',
      502,
      `Quote "${id}" could not be fetched from the quote system (${reason}); send the event again later.`,
    ),
};

/**
 * Where a quote is fetched: `{quoteApiUrl}/quote/{id}` with the id as one encoded path segment, so
 * `/`, `?`, `#` or `%2f` in an id cannot reach another path; `.` and `..` (which a URL parser
 * would resolve against the path) are refused, and so is an id with a lone surrogate, which has
 * no UTF-8 form to encode (`encodeURIComponent` threw, a 500; found by test/fuzz).
 */
export function quoteUrl(quoteApiUrl: string, id: string): string {
  if (id === '.' || id === '..' || /\p{Cs}/u.test(id)) throw quoteErrors.invalidId(id);
  return `${quoteApiUrl.replace(/\/$/, '')}/quote/${encodeURIComponent(id)}`;
}

/** The quote of a TMF648 state change event, as far as Intake reads it. */
export interface QuoteChange {
  id: string;
  state?: string | undefined;
}

/** What a quote event led to: the acquisition of the quote (when there is one), and whether it was opened now. */
export interface QuoteOutcome {
  quoteId: string;
  acquisitionId: string | null;
  opened: boolean;
}

/** How a quote is fetched: the global `fetch` in production, anything of its shape in a test. */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/**
 * Opens the acquisition of a quote that became `accepted`: fetches the whole quote from the quote
 * system (INTAKE_QUOTE_API_URL) with the given `fetch`, within 10 seconds, and opens it. Exactly
 * once: a quote already opened (an event delivered twice, or two at once) answers with the
 * acquisition it has, and opens nothing. Another state opens nothing and fetches nothing.
 */
export class QuoteIntake {
  constructor(
    private readonly acquisitions: AcquisitionService,
    private readonly quoteApiUrl: string | undefined,
    private readonly fetch: Fetch,
  ) {}

  async quoteChanged(quote: QuoteChange, by: Principal): Promise<QuoteOutcome> {
    if (quote.state !== undefined && quote.state !== 'accepted')
      return { quoteId: quote.id, acquisitionId: null, opened: false };
    const document = await this.fetchQuote(quote.id);
    try {
      const opened = await this.acquisitions.open(document, by);
      return { quoteId: quote.id, acquisitionId: opened.id, opened: true };
    } catch (error) {
      if (error instanceof AppError && error.code === 'acquisition.exists') {
        const existing = error.extra.acquisitionId;
        return {
          quoteId: quote.id,
          acquisitionId: typeof existing === 'string' ? existing : null,
          opened: false,
        };
      }
      throw error;
    }
  }

  /** The quote document as the quote system answers it; `quote.unreachable` when it cannot. */
  private async fetchQuote(id: string): Promise<unknown> {
    if (!this.quoteApiUrl) throw quoteErrors.notConfigured();
    const url = quoteUrl(this.quoteApiUrl, id);
    try {
      const response = await this.fetch(url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) throw new Error(`it answered ${response.status}`);
      return await response.json();
    } catch (error) {
      throw quoteErrors.unreachable(id, error instanceof Error ? error.message : 'no answer');
    }
  }
}
