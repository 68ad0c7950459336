import { Type } from 'typebox';

/** Schemas shared by every module's routes. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String({ description: 'Stable error code; see docs/errors.md.' }),
    detail: Type.String(),
    instance: Type.String(),
    errors: Type.Array(
      Type.Object({
        pointer: Type.String({ description: 'JSON pointer into the request' }),
        detail: Type.String(),
        code: Type.Optional(Type.String()),
      }),
    ),
  },
  { additionalProperties: true, $id: 'Problem' },
);

/** The standard error answers of an authenticated route, for the OpenAPI document. */
export const authErrors = {
  401: Type.Ref('Problem'),
  403: Type.Ref('Problem'),
} as const;

/** A TMF `Error`, as routes under /tmf-api answer errors (see toTmfError). */
export const TmfErrorSchema = Type.Object(
  {
    code: Type.String(),
    reason: Type.String(),
    message: Type.Optional(Type.String()),
    status: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

/** The error answers of a route, in the shape its API uses. */
export const errorAnswers = (tmf: boolean, ...statuses: (400 | 401 | 403 | 404 | 409 | 422)[]) =>
  Object.fromEntries(
    [...new Set([401, 403, ...statuses])].map((status) => [
      status,
      tmf ? TmfErrorSchema : Type.Ref('Problem'),
    ]),
  );

/**
 * The largest offset a page may start at: past it a number no longer reaches SQL as a plain
 * integer (`?offset=1e26` was a 500 on both databases), and no acquisition has that many rows.
 */
export const MAX_OFFSET = 2_147_483_647;

export const PageQuery = {
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_OFFSET, default: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
};

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

/** `?reveal=accountNumber,accountPin`: secret fields to show in clear (authorised and audited). */
export const RevealQuery = Type.Optional(
  Type.String({
    maxLength: 500,
    pattern: '^[A-Za-z][A-Za-z0-9_]*(,[A-Za-z][A-Za-z0-9_]*)*$',
    description:
      'Secret fields to show in clear, by field id, comma-separated. Only the roles the catalogue lists for a field may ask; each value shown is written to the audit log.',
  }),
);

/** The field ids of a `reveal` query. */
export function revealList(reveal: string | undefined): string[] {
  return reveal ? [...new Set(reveal.split(','))] : [];
}
