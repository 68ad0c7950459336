import { AppError } from '../errors.js';

/**
 * The refusal of a multipart/form-data body that cannot be read (no boundary, cut short, a broken
 * part header, more parts than the route takes), when `error` is such a failure; undefined for
 * anything else, which stays an error of ours (a full disk is not the client's fault).
 *
 * Busboy reports a broken frame as a plain `Error` ("Unexpected end of form", "Malformed part
 * header"); @fastify/multipart its limits as `FST_…` errors. Both reached the error handler as
 * unknown errors, a 500.
 */
export function malformedMultipart(error: unknown): AppError | undefined {
  if (!(error instanceof Error) || error instanceof AppError) return undefined;
  const code = (error as { code?: unknown }).code;
  const fromParser =
    (typeof code === 'string' && code.startsWith('FST_')) ||
    (error.constructor === Error && code === undefined);
  if (!fromParser) return undefined;
  return new AppError(
    'request.multipart-malformed',
    400,
    `The multipart/form-data body cannot be read: ${error.message}. Send the file again as a well-formed form.`,
  );
}
