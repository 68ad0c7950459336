/**
 * The one error type of Intake. Every failure a person or a client can see is an `AppError`
 * with a stable `code`, an HTTP status and a message that says what is wrong and where.
 * Each code is documented in docs/errors.md; a test fails when one is not.
 */

/** One problem inside a request or document, located by a JSON pointer. */
export interface ProblemDetail {
  pointer: string;
  detail: string;
  code?: string;
}

export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly errors: ProblemDetail[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** Error factories, one per code. The list is the catalogue of codes clients can rely on. */
export const errors = {
  /** A write refused because the acquisition is not collecting (every channel refuses alike). */
  acquisitionLocked: (state: string) =>
    new AppError(
      'acquisition.locked',
      409,
      `The acquisition is ${state.replace('_', ' ')}; records can change only while it is collecting. Reopen it first.`,
    ),
  malformedRequest: (message: string) => new AppError('request.malformed', 400, message),
  invalidRequest: (message: string, details: ProblemDetail[]) =>
    new AppError('request.invalid', 400, message, details),
  missingToken: () =>
    new AppError(
      'auth.token-missing',
      401,
      'This endpoint needs a bearer token: send "Authorization: Bearer <token>".',
    ),
  invalidToken: () =>
    new AppError('auth.token-invalid', 401, 'The bearer token is not valid or has been revoked.'),
  forbidden: (role: string, allowed: readonly string[]) =>
    new AppError(
      'auth.forbidden',
      403,
      `The role "${role}" may not do this; it needs one of: ${allowed.join(', ')}.`,
    ),
  linkForbidden: () =>
    new AppError(
      'auth.link-forbidden',
      403,
      "A customer link can only read and fill in the customer's part of its acquisition.",
    ),
  routeNotFound: (method: string, url: string) =>
    new AppError('route.not-found', 404, `There is no endpoint ${method} ${url}.`),
  acquisitionNotFound: (id: string) =>
    new AppError('acquisition.not-found', 404, `There is no acquisition with id "${id}".`),
  entityNotFound: (id: string) =>
    new AppError('catalog.entity-not-found', 404, `The catalogue has no entity "${id}".`),
  tokenNotFound: (id: string) =>
    new AppError('token.not-found', 404, `There is no API token with id "${id}".`),
  acquisitionExists: (reference: string, id: string) =>
    new AppError(
      'acquisition.exists',
      409,
      `Proposal "${reference}" already has an acquisition (${id}).`,
      [],
      { acquisitionId: id },
    ),
  unsupportedMediaType: (type: string) =>
    new AppError(
      'request.unsupported-media-type',
      415,
      `Content type "${type}" is not accepted here; send application/json.`,
    ),
  payloadTooLarge: (limit: number) =>
    new AppError(
      'request.too-large',
      413,
      `The request body is larger than the limit of ${limit} bytes.`,
    ),
  preconditionFailed: () =>
    new AppError(
      'request.precondition-failed',
      412,
      'The page has changed since the version your If-Match or If-Unmodified-Since names; load it again without them.',
    ),
  rangeNotSatisfiable: () =>
    new AppError(
      'request.range-not-satisfiable',
      416,
      'The Range header asks for bytes the file does not have; ask for the whole file.',
    ),
  requestRefused: (status: number, reason: string) =>
    new AppError('request.refused', status, `The request was refused: ${reason}.`),
  proposalNotAgreed: (message: string, details: ProblemDetail[]) =>
    new AppError('proposal.not-agreed', 422, message, details),
  unknownProducts: (message: string, details: ProblemDetail[]) =>
    new AppError('proposal.unknown-product', 422, message, details),
  invalidProposal: (message: string, details: ProblemDetail[]) =>
    new AppError('proposal.invalid', 422, message, details),
  mailNotConfigured: () =>
    new AppError(
      'mail.not-configured',
      409,
      'This Intake sends no email (INTAKE_SMTP_URL is not set): issue the link without sending it, and pass it on yourself.',
    ),
  mailSendFailed: () =>
    new AppError(
      'mail.send-failed',
      502,
      'The email could not be sent, so no link was issued; try again, or issue the link without sending it.',
    ),
  /** The database could not be reached or dropped the connection; nothing was half done. */
  databaseUnavailable: (retryAfter: number) =>
    new AppError(
      'database.unavailable',
      503,
      `The database cannot be reached just now, so nothing was changed. Try again in ${retryAfter} second${retryAfter === 1 ? '' : 's'}.`,
      [],
      { retryAfter },
    ),
  internal: () =>
    new AppError(
      'internal',
      500,
      'Something went wrong on our side. It has been logged; please try again.',
    ),
} as const;

/** Every code the factories above can produce; docs/errors.md must describe each. */
export const ERROR_CODES = [
  'database.unavailable',
  'request.malformed',
  'request.invalid',
  'request.unsupported-media-type',
  'request.too-large',
  'request.nul-character',
  'request.too-deep',
  'request.multipart-malformed',
  'request.precondition-failed',
  'request.range-not-satisfiable',
  'request.refused',
  'auth.token-missing',
  'auth.token-invalid',
  'auth.forbidden',
  'auth.link-forbidden',
  'auth.too-many-failures',
  'link.too-many-requests',
  'route.not-found',
  'acquisition.not-found',
  'token.not-found',
  'link.not-found',
  'portal.link-only',
  'portal.part-incomplete',
  'catalog.entity-not-found',
  'acquisition.exists',
  'proposal.not-agreed',
  'proposal.unknown-product',
  'proposal.invalid',
  'record.not-found',
  'record.version-conflict',
  'record.precondition-required',
  'record.invalid-change',
  'record.field-forbidden',
  'record.entity-forbidden',
  'follow-up.field-unknown',
  'call.not-found',
  'call.ended',
  'record.value-too-long',
  'record.too-many',
  'acquisition.locked',
  'acquisition.transition-refused',
  'worklist.group-not-found',
  'import.file-missing',
  'import.file-too-large',
  'import.unreadable',
  'import.unpacks-too-large',
  'import.too-many-rows',
  'import.too-many-columns',
  'import.cell-too-long',
  'import.entity-unknown',
  'import.header-not-found',
  'import.mapping-invalid',
  'import.idempotency-key-reused',
  'import.not-found',
  'import.report-not-ready',
  'import.report-expired',
  'import.interrupted',
  'import.interrupted-too-often',
  'import.already-running',
  'import.changed-meanwhile',
  'hub.callback-invalid',
  'hub.callback-forbidden',
  'hub.callback-unresolvable',
  'hub.not-found',
  'delivery.not-found',
  'handover.not-approved',
  'handover.entity-not-found',
  'quote.not-configured',
  'quote.unreachable',
  'quote.id-invalid',
  'secret.reveal-forbidden',
  'attachment.file-missing',
  'attachment.too-large',
  'attachment.type-refused',
  'attachment.field-invalid',
  'attachment.not-found',
  'tmf.not-found',
  'tmf.invalid',
  'mail.not-configured',
  'mail.send-failed',
  'internal',
] as const;
