import type { FastifyPluginAsync } from 'fastify';
import { APPROVERS, READERS } from '../access/roles.js';
import { AppError, type ProblemDetail } from '../errors.js';
import type { RequireRole } from '../access/authenticate.js';
import { tmfValidator } from '../tmf/swagger-schemas.js';
import {
  present,
  type ResourceKind,
  type TmfDocument,
  type TmfResourceStore,
} from './tmf-resources.js';

export const partyErrors = {
  notFound: (type: string, id: string) =>
    new AppError('tmf.not-found', 404, `There is no ${type} "${id}".`),
  invalid: (type: string, details: ProblemDetail[]) =>
    new AppError('tmf.invalid', 400, `The ${type} does not match the TMF schema.`, details),
};

/** Attributes the server owns: a client's value for them is ignored. */
const SERVER_OWNED = new Set(['id', 'href', '@type', '@baseType', '@schemaLocation']);

function strip(body: TmfDocument): TmfDocument {
  return Object.fromEntries(Object.entries(body).filter(([k]) => !SERVER_OWNED.has(k)));
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** A scalar attribute as filter text; anything else matches no filter. */
const textOf = (value: unknown): string | undefined =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : undefined;

/** Keeps the named top-level attributes (TMF `fields`), with id and href always. */
function pick(resource: TmfDocument, fields: string | undefined): TmfDocument {
  if (!fields) return resource;
  const wanted = new Set(['id', 'href', ...fields.split(',').map((f) => f.trim())]);
  return Object.fromEntries(Object.entries(resource).filter(([k]) => wanted.has(k)));
}

const schemaErrors = (kind: ResourceKind, definition: string, body: unknown): ProblemDetail[] => {
  const validate = tmfValidator(kind.spec, definition);
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e) => ({
    pointer: e.instancePath || '/',
    detail: e.message ?? 'is not valid',
  }));
};

/**
 * One TMF resource collection (TMF629 customer, TMF632 organization or individual): list with
 * `fields`, `offset`, `limit` and attribute filters, get, create, merge-patch and delete. Every
 * answer is a TMF document; every change is an event on the API's hub.
 */
export function tmfResourceRoutes(
  kind: ResourceKind,
  store: TmfResourceStore,
  requireRole: RequireRole,
): FastifyPluginAsync {
  return async (app) => {
    app.addContentTypeParser(
      'application/merge-patch+json',
      { parseAs: 'string' },
      (_request, body, done) => {
        try {
          done(null, JSON.parse(body as string));
        } catch {
          done(new AppError('request.malformed', 400, 'The body is not valid JSON.'), undefined);
        }
      },
    );
    const path = `/${kind.collection}`;
    const tags = [kind.spec === 'customer' ? 'TMF629 customer' : 'TMF632 party'];
    const security = [{ bearerAuth: [] }];

    app.get(
      path,
      {
        onRequest: requireRole(READERS),
        schema: { tags, security, summary: `List ${kind.type} resources` },
      },
      async (request, reply) => {
        const query = request.query as Record<string, string | undefined>;
        const offset = Math.max(0, Number(query.offset ?? 0) || 0);
        const limit = Math.min(1000, Math.max(1, Number(query.limit ?? 100) || 100));
        const filters = Object.entries(query).filter(
          ([k]) => !['fields', 'offset', 'limit'].includes(k),
        );
        const all = (await store.list(kind))
          .map((r) => present(kind, r.id, r.body))
          .filter((r) => filters.every(([k, v]) => textOf(r[k]) === v));
        const page = all.slice(offset, offset + limit).map((r) => pick(r, query.fields));
        return reply
          .header('x-total-count', all.length)
          .header('x-result-count', page.length)
          .send(page);
      },
    );

    app.get(
      `${path}/:id`,
      {
        onRequest: requireRole(READERS),
        schema: { tags, security, summary: `Get a ${kind.type}` },
      },
      async (request) => {
        const { id } = request.params as { id: string };
        const body = await store.get(kind, id);
        if (!body) throw partyErrors.notFound(kind.type, id);
        return pick(present(kind, id, body), (request.query as { fields?: string }).fields);
      },
    );

    app.post(
      path,
      {
        onRequest: requireRole(APPROVERS),
        schema: { tags, security, summary: `Create a ${kind.type}` },
      },
      async (request, reply) => {
        const body = strip((request.body ?? {}) as TmfDocument);
        const problems = schemaErrors(kind, `${kind.type}_Create`, body);
        if (problems.length > 0) throw partyErrors.invalid(kind.type, problems);
        const id = await store.create(kind, body);
        return reply
          .status(201)
          .header('location', `${kind.basePath}${path}/${id}`)
          .send(present(kind, id, body));
      },
    );

    app.patch(
      `${path}/:id`,
      {
        onRequest: requireRole(APPROVERS),
        schema: { tags, security, summary: `Change a ${kind.type} (JSON merge patch)` },
      },
      async (request) => {
        const { id } = request.params as { id: string };
        const before = await store.get(kind, id);
        if (!before) throw partyErrors.notFound(kind.type, id);
        const next = strip(
          mergePatch(before, strip((request.body ?? {}) as TmfDocument)) as TmfDocument,
        );
        const problems = schemaErrors(kind, `${kind.type}_Create`, next);
        if (problems.length > 0) throw partyErrors.invalid(kind.type, problems);
        if (!(await store.update(kind, id, next))) throw partyErrors.notFound(kind.type, id);
        return present(kind, id, next);
      },
    );

    app.delete(
      `${path}/:id`,
      {
        onRequest: requireRole(APPROVERS),
        schema: { tags, security, summary: `Delete a ${kind.type}` },
      },
      async (request, reply) => {
        const { id } = request.params as { id: string };
        if (!(await store.remove(kind, id))) throw partyErrors.notFound(kind.type, id);
        return reply.status(204).send();
      },
    );
  };
}
