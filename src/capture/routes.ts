import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import {
  FindingSchema,
  HistorySchema,
  RecordPageSchema,
  RecordSchema,
  ValuesSchema as Values,
} from './schemas.js';
import { APPROVERS, READERS, WRITERS } from '../access/roles.js';
import type { AcquisitionService } from '../acquisitions/acquisition-service.js';
import { principalOf, type RequireRole } from '../access/authenticate.js';
import { authErrors, PageQuery, RevealQuery, revealList } from '../http/schemas.js';
import { captureErrors } from './capture-errors.js';
import type { StoredRecord } from './capture-repository.js';
import type { CaptureService } from './capture-service.js';
import { presentFinding } from './present-finding.js';
import { presentRecord } from './present-record.js';
import type { Finding } from './record.js';
import type { CreateOp, UpdateOp } from './write-types.js';

const Params = Type.Object({ id: Type.String({ maxLength: 100 }) });
const RecordParams = Type.Object({
  id: Type.String({ maxLength: 100 }),
  recordId: Type.String({ maxLength: 100 }),
});

const etag = (version: number) => `"${version}"`;

/** Reads `If-Match: "3"` (or W/"3"); undefined when absent. */
function ifMatch(header: string | undefined, required: boolean): number | undefined {
  if (!header) {
    if (required) throw captureErrors.preconditionRequired();
    return undefined;
  }
  const match = /^(?:W\/)?"(\d+)"$/.exec(header.trim());
  if (!match) throw captureErrors.preconditionRequired();
  return Number(match[1]);
}

/** The create operation of a request's record (the record route's body, a bulk item without id). */
function createOp(body: {
  entity?: string;
  values: Record<string, unknown>;
  site?: string;
}): CreateOp {
  return { op: 'create', entity: body.entity ?? '', values: body.values, site: body.site ?? null };
}

/** The update operation of a bulk item with an id: a merge patch of its values, at its version if given. */
function updateOp(
  id: string,
  item: { values: Record<string, unknown>; version?: number },
): UpdateOp {
  return { op: 'update', id, patch: item.values, ifVersion: item.version };
}

export interface CaptureRoutesOptions {
  capture: CaptureService;
  acquisitions: AcquisitionService;
  requireRole: RequireRole;
}

/** Records of an acquisition: CRUD with optimistic concurrency, bulk upsert, history and findings. */
export const captureRoutes: FastifyPluginAsyncTypebox<CaptureRoutesOptions> = async (
  app,
  { capture, acquisitions, requireRole },
) => {
  const security = [{ bearerAuth: [] }];
  const base = '/acquisitions/:id/records';
  const send = (
    reply: FastifyReply,
    acquisitionId: string,
    record: StoredRecord,
    findings: Finding[],
    status = 200,
  ) =>
    reply
      .status(status)
      .header('etag', etag(record.version))
      .send(presentRecord(acquisitionId, record, findings));

  app.get(
    base,
    {
      onRequest: requireRole(READERS, { customerLinks: true }),
      schema: {
        tags: ['records'],
        summary: 'List records, filtered by entity, site, owner or finding severity',
        security,
        params: Params,
        querystring: Type.Object({
          entity: Type.Optional(Type.String()),
          site: Type.Optional(Type.String()),
          owner: Type.Optional(Type.Enum(['customer', 'sales', 'engineering'])),
          severity: Type.Optional(Type.Enum(['blocking', 'warning'])),
          reveal: RevealQuery,
          ...PageQuery,
        }),
        response: {
          200: RecordPageSchema,
          ...authErrors,
        },
      },
    },
    async (request, reply) => {
      const { offset = 0, limit = 50, reveal, ...filter } = request.query;
      await acquisitions.get(request.params.id);
      const page = await capture.pageWithFindings(
        request.params.id,
        { ...filter, offset, limit },
        principalOf(request),
        { reveal: revealList(reveal) },
      );
      void reply.header('x-total-count', page.total).header('x-result-count', page.records.length);
      return {
        total: page.total,
        items: page.records.map((r) => presentRecord(request.params.id, r, page.findings)),
      };
    },
  );

  app.post(
    base,
    {
      onRequest: requireRole(WRITERS, { customerLinks: true }),
      schema: {
        tags: ['records'],
        summary: 'Create a record',
        security,
        params: Params,
        body: Type.Object(
          { entity: Type.String(), values: Values, site: Type.Optional(Type.String()) },
          { additionalProperties: false },
        ),
        response: {
          201: RecordSchema,
          400: Type.Ref('Problem'),
          ...authErrors,
          409: Type.Ref('Problem'),
          422: Type.Ref('Problem'),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const result = await capture.write(id, [createOp(request.body)], principalOf(request));
      const record = result.records[0]!;
      void reply.header('location', `/api/v1/acquisitions/${id}/records/${record.id}`);
      return send(reply, id, record, result.findings, 201);
    },
  );

  app.post(
    `${base}/bulk`,
    {
      onRequest: requireRole(WRITERS, { customerLinks: true }),
      schema: {
        tags: ['records'],
        summary: 'Create or update many records, all or nothing',
        security,
        params: Params,
        description:
          'Each item with an `id` updates that record (merge patch of `values`; `version`, when given, must match); without, it creates one. Invalid values are kept as drafts with findings; unknown entities or fields, or a stale version, refuse the whole batch, as do a value longer than its field allows and more records than the proposal allows (422).',
        body: Type.Object(
          {
            records: Type.Array(
              Type.Object(
                {
                  id: Type.Optional(Type.String()),
                  entity: Type.Optional(Type.String()),
                  version: Type.Optional(Type.Integer()),
                  site: Type.Optional(Type.String()),
                  values: Values,
                },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 5000 },
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(RecordSchema) }),
          400: Type.Ref('Problem'),
          422: Type.Ref('Problem'),
          ...authErrors,
          412: Type.Ref('Problem'),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const ops = request.body.records.map((r) => (r.id ? updateOp(r.id, r) : createOp(r)));
      // Pointers into the request: /records/<i>/values/<field>, even for a batch of one.
      const result = await capture.write(id, ops, principalOf(request), {
        valuesPointer: (i) => `/records/${i}/values`,
      });
      return { items: result.records.map((r) => presentRecord(id, r, result.findings)) };
    },
  );

  app.get(
    `${base}/:recordId`,
    {
      onRequest: requireRole(READERS, { customerLinks: true }),
      schema: {
        tags: ['records'],
        summary: 'Read a record (ETag carries its version)',
        security,
        params: RecordParams,
        querystring: Type.Object({ reveal: RevealQuery }),
        response: { 200: RecordSchema, ...authErrors, 404: Type.Ref('Problem') },
      },
    },
    async (request, reply) => {
      const record = await capture.get(
        request.params.id,
        request.params.recordId,
        principalOf(request),
        revealList(request.query.reveal),
      );
      return send(
        reply,
        request.params.id,
        record,
        await capture.findingsOfRecords(request.params.id, [record.id], principalOf(request)),
      );
    },
  );

  app.patch(
    `${base}/:recordId`,
    {
      onRequest: requireRole(WRITERS, { customerLinks: true }),
      schema: {
        tags: ['records'],
        summary: 'Change fields of a record (JSON merge patch; If-Match required)',
        security,
        params: RecordParams,
        headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
        body: Values,
        response: {
          200: RecordSchema,
          400: Type.Ref('Problem'),
          422: Type.Ref('Problem'),
          ...authErrors,
          404: Type.Ref('Problem'),
          412: Type.Ref('Problem'),
          428: Type.Ref('Problem'),
        },
      },
    },
    async (request, reply) => {
      const version = ifMatch(request.headers['if-match'], true);
      // The engine reads the record once, and answers 404 for one this caller may not see.
      const result = await capture.write(
        request.params.id,
        [{ op: 'update', id: request.params.recordId, patch: request.body, ifVersion: version }],
        principalOf(request),
      );
      return send(reply, request.params.id, result.records[0]!, result.findings);
    },
  );

  app.delete(
    `${base}/:recordId`,
    {
      onRequest: requireRole(WRITERS, { customerLinks: true }),
      schema: {
        tags: ['records'],
        summary: 'Delete a record (If-Match required)',
        security,
        params: RecordParams,
        response: {
          204: Type.Null(),
          ...authErrors,
          404: Type.Ref('Problem'),
          412: Type.Ref('Problem'),
          428: Type.Ref('Problem'),
        },
      },
    },
    async (request, reply) => {
      const version = ifMatch(request.headers['if-match'], true);
      // The engine reads the record once, and answers 404 for one this caller may not see.
      await capture.write(
        request.params.id,
        [{ op: 'delete', id: request.params.recordId, ifVersion: version }],
        principalOf(request),
      );
      return reply.status(204).send(null);
    },
  );

  app.get(
    `${base}/:recordId/history`,
    {
      onRequest: requireRole(READERS, { customerLinks: true }),
      schema: {
        tags: ['records'],
        summary: 'Every change of a record: who, when, through which channel, from what to what',
        security,
        params: RecordParams,
        response: {
          200: HistorySchema,
          ...authErrors,
          404: Type.Ref('Problem'),
        },
      },
    },
    async (request) => ({
      items: await capture.history(
        request.params.id,
        request.params.recordId,
        principalOf(request),
      ),
    }),
  );

  app.get(
    '/acquisitions/:id/findings',
    {
      onRequest: requireRole(READERS),
      schema: {
        tags: ['records'],
        summary: 'Every finding of an acquisition, including record counts against the proposal',
        security,
        params: Params,
        querystring: Type.Object({
          entity: Type.Optional(Type.String()),
          severity: Type.Optional(Type.Enum(['blocking', 'warning'])),
        }),
        response: {
          200: Type.Object({ total: Type.Integer(), items: Type.Array(FindingSchema) }),
          ...authErrors,
          404: Type.Ref('Problem'),
        },
      },
    },
    async (request) => {
      const plan = await acquisitions.plan(request.params.id);
      // Only the filters: other query parameters are not options of the repository (an unknown
      // `limit` reached its SQL, a 500).
      const { entity, severity } = request.query;
      const findings = await capture.findings(request.params.id, { entity, severity }, plan);
      return { total: findings.length, items: findings.map(presentFinding) };
    },
  );

  app.post(
    '/acquisitions/:id/revalidate',
    {
      onRequest: requireRole(APPROVERS),
      schema: {
        tags: ['records'],
        summary: 'Re-validate every record from scratch (repair path)',
        security,
        params: Params,
        response: {
          200: Type.Object({
            records: Type.Integer(),
            findings: Type.Integer(),
            blocking: Type.Integer(),
            repaired: Type.Integer(),
          }),
          ...authErrors,
        },
      },
    },
    async (request) => {
      await acquisitions.get(request.params.id);
      return capture.revalidate(request.params.id);
    },
  );
};
