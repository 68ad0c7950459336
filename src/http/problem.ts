import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorObject } from 'ajv';
import { AppError, errors, type ProblemDetail } from '../errors.js';
import { toSchemaFindings } from '../schema/ajv.js';
import { isDatabaseUnavailable } from '../db/connect.js';

/** RFC 9457 problem document as Intake renders it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance: string;
  errors: ProblemDetail[];
  [extra: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorised',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Payload too large',
  415: 'Unsupported media type',
  416: 'Range not satisfiable',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Internal server error',
};

/** Renders an `AppError` as `application/problem+json`. */
export function toProblem(error: AppError, instance: string): Problem {
  return {
    ...error.extra,
    type: `urn:intake:problem:${error.code}`,
    title: TITLES[error.status] ?? 'Error',
    status: error.status,
    code: error.code,
    detail: error.message,
    instance,
    errors: error.errors,
  };
}

/**
 * Renders an `AppError` as a TMF `Error` (code, reason, message, status as text), for the TM
 * Forum APIs under `/tmf-api`, whose clients expect that shape; `errors` lists the details.
 */
export function toTmfError(error: AppError): Record<string, unknown> {
  return {
    code: error.code,
    reason: TITLES[error.status] ?? 'Error',
    message: error.message,
    status: String(error.status),
    ...(error.errors.length > 0 ? { errors: error.errors } : {}),
    '@type': 'Error',
  };
}

const isTmf = (request: FastifyRequest) => request.url.startsWith('/tmf-api/');

/** Sends an error as problem+json, or as a TMF Error under /tmf-api. */
function sendError(request: FastifyRequest, reply: FastifyReply, error: AppError): void {
  // A throttled caller is told when to come back (RFC 9110 Retry-After, in seconds).
  if (typeof error.extra.retryAfter === 'number')
    void reply.header('retry-after', String(error.extra.retryAfter));
  if (isTmf(request)) {
    void reply.status(error.status).type('application/json').send(toTmfError(error));
    return;
  }
  void reply
    .status(error.status)
    .type('application/problem+json')
    .send(toProblem(error, request.url));
}

/** Maps Fastify's own errors (bad JSON, schema failures, limits) to Intake's codes. */
function fromFastify(error: FastifyError, limit: number): AppError | undefined {
  if (error.validation) {
    const context = error.validationContext ?? 'body';
    const prefix = context === 'body' ? '' : `/${context}`;
    const details = toSchemaFindings(error.validation as ErrorObject[]).map((f) => ({
      pointer: `${prefix}${f.pointer === '/' ? '' : f.pointer}` || '/',
      detail: f.message,
    }));
    return errors.invalidRequest(`The request ${context} is invalid.`, details);
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errors.malformedRequest(
        `The request body is not valid JSON: ${error.message.replace(/^.*?:\s*/, '')}`,
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errors.payloadTooLarge(limit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errors.unsupportedMediaType(String(error.message.split("'")[1] ?? 'unknown'));
    default:
      return clientRefusal(error);
  }
}

/** What a 503 for an unreachable database tells the client to wait (seconds). */
const DATABASE_RETRY_AFTER_SECONDS = 2;

/**
 * A 4xx that Fastify or a plugin raised about the request, as Intake's error: @fastify/send
 * answers a page asked for with a stale `If-Match` (412) or a `Range` past its end (416) by
 * throwing, and those reached the handler as unknown errors, a 500 (found by test/fuzz).
 */
function clientRefusal(error: FastifyError): AppError | undefined {
  const status = error.statusCode ?? (error as { status?: unknown }).status;
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  if (status === 412) return errors.preconditionFailed();
  if (status === 416) return errors.rangeNotSatisfiable();
  return errors.requestRefused(status, error.message.replace(/\.$/, ''));
}

/**
 * Installs the error and not-found handlers: every error leaves as problem+json (a TMF Error
 * under /tmf-api), and 500s leak nothing.
 */
export function registerProblemHandlers(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    let appError = error instanceof AppError ? error : fromFastify(error, bodyLimit);
    if (!appError && isDatabaseUnavailable(error)) {
      // Its transaction rolled back (unless the connection dropped during its commit: a retry
      // with If-Match tells); the pool has dropped the broken connection and opens a new one.
      request.log.warn({ err: error }, 'database unavailable');
      appError = errors.databaseUnavailable(DATABASE_RETRY_AFTER_SECONDS);
    }
    if (!appError) {
      request.log.error({ err: error }, 'unhandled error');
      appError = errors.internal();
    }
    sendError(request, reply, appError);
  });
  app.setNotFoundHandler((request, reply) => {
    sendError(
      request,
      reply,
      errors.routeNotFound(request.method, request.url.split('?')[0] ?? request.url),
    );
  });
}
