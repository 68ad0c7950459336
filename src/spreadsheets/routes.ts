import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { audienceOf as scopeAudience } from '../scope/customer-scope.js';
import { READERS, WRITERS } from '../access/roles.js';
import type { AcquisitionService } from '../acquisitions/acquisition-service.js';
import type { CaptureService } from '../capture/capture-service.js';
import type { ImportLimits } from '../config.js';
import { principalOf, type RequireRole } from '../access/authenticate.js';
import { sendDownload } from '../http/download.js';
import { authErrors, MAX_OFFSET } from '../http/schemas.js';
import { ImportEvents } from './import-events.js';
import { ImportReportService } from './import-report-service.js';
import type { ImportService } from './import-service.js';
import { ImportUploads } from './import-uploads.js';
import { ImportViews } from './import-views.js';
import type { Audience } from './sheet-columns.js';
import { TemplateService } from './template-service.js';

const Params = Type.Object({ id: Type.String({ maxLength: 100 }) });
const ImportParams = Type.Object({
  id: Type.String({ maxLength: 100 }),
  importId: Type.String({ maxLength: 100 }),
});
/** An import job as the API shows it; documented field by field in the README. */
const JobSchema = Type.Object(
  {
    id: Type.String(),
    status: Type.Enum(['running', 'completed', 'failed']),
    mode: Type.String(),
    match: Type.String(),
    applied: Type.Boolean(),
    rowsRead: Type.Integer(),
    created: Type.Integer(),
    updated: Type.Integer(),
    unchanged: Type.Integer(),
    invalid: Type.Integer(),
  },
  { additionalProperties: true },
);
const Problem = Type.Ref('Problem');

const ImportQuery = Type.Object({
  mode: Type.Optional(Type.Enum(['validate', 'all-or-nothing', 'valid-rows'])),
  match: Type.Optional(Type.Enum(['merge', 'add'])),
  entity: Type.Optional(Type.String({ maxLength: 64 })),
  mapping: Type.Optional(Type.String({ maxLength: 20000 })),
});

export interface SpreadsheetRoutesOptions {
  imports: ImportService;
  capture: CaptureService;
  acquisitions: AcquisitionService;
  requireRole: RequireRole;
  limits: ImportLimits;
}

const audienceOf = (request: FastifyRequest): Audience => scopeAudience(principalOf(request));

/** Templates, imports (upload, status, progress events, reports). */
export const spreadsheetRoutes: FastifyPluginAsyncTypebox<SpreadsheetRoutesOptions> = async (
  app,
  { imports, capture, acquisitions, requireRole, limits },
) => {
  const security = [{ bearerAuth: [] }];
  await app.register(multipart, {
    limits: { fileSize: limits.maxBytes, files: 1, fields: 8, fieldSize: 64 * 1024, parts: 12 },
  });

  const views = new ImportViews(imports, acquisitions);
  const templates = new TemplateService(acquisitions, capture);
  const uploads = new ImportUploads(imports, acquisitions, limits.maxBytes);
  const events = new ImportEvents(imports, views);
  const reports = new ImportReportService(imports);

  app.get(
    '/acquisitions/:id/template',
    {
      onRequest: requireRole(READERS, { customerLinks: true }),
      schema: {
        tags: ['spreadsheets'],
        summary: 'Download the spreadsheet template: XLSX with every entity, or CSV for one',
        description:
          'The XLSX has an instructions sheet and one sheet per entity the caller fills in, with the expected rows pre-filled, dropdowns for lists and text-formatted columns. A customer link gets only the customer\'s columns. `layout=combined` puts the entities of each of the catalogue\'s row groups on one sheet ("Users and handsets": one row per user with their handset, an Intake ID column per entity). `entity` names one entity or row group (required for CSV).',
        security,
        params: Params,
        querystring: Type.Object({
          format: Type.Optional(Type.Enum(['xlsx', 'csv'])),
          entity: Type.Optional(Type.String({ maxLength: 64 })),
          layout: Type.Optional(Type.Enum(['entities', 'combined'])),
        }),
        response: { ...authErrors },
      },
    },
    async (request, reply) => {
      const download = await templates.build(request.params.id, audienceOf(request), request.query);
      return sendDownload(reply, download);
    },
  );

  app.post(
    '/acquisitions/:id/imports',
    {
      onRequest: requireRole(WRITERS, { customerLinks: true }),
      schema: {
        tags: ['spreadsheets'],
        summary: 'Import a CSV or XLSX file (multipart/form-data, part "file")',
        description:
          'Options in the query string or as form fields: `mode` validate (dry run), all-or-nothing or valid-rows (the default: invalid values are kept as drafts with their findings; rows past the plan maximum, with a value longer than its field allows or with a NUL character are rejected by row); one import per acquisition runs at a time (409 import.already-running); `match` merge (by Intake ID, then the natural key; the default) or add; `entity` for a CSV whose columns do not say; `mapping` a JSON object from header (or column letter) to field id, null to ignore a column. Send `Prefer: respond-async` to get 202 at once and follow the job; otherwise the answer comes when the import is done. `Idempotency-Key` makes a repeated request return the first job.',
        security,
        params: Params,
        querystring: ImportQuery,
        consumes: ['multipart/form-data'],
        response: {
          200: JobSchema,
          201: JobSchema,
          202: JobSchema,
          400: Problem,
          ...authErrors,
          409: Problem,
          413: Problem,
          422: Problem,
        },
      },
    },
    async (request, reply) => {
      const started = await uploads.start({
        acquisitionId: request.params.id,
        parts: request.isMultipart() ? request.parts() : undefined,
        query: request.query,
        idempotencyKey: request.headers['idempotency-key'],
        principal: principalOf(request),
      });
      if (started.replayed) void reply.header('idempotent-replayed', 'true');
      void reply.header('location', views.pathOf(started.job));
      if (/respond-async/i.test(String(request.headers.prefer ?? '')))
        return reply.status(202).send(await views.present(started.job));
      const job = await uploads.finished(started);
      return reply.status(started.replayed ? 200 : 201).send(await views.present(job));
    },
  );

  app.get(
    '/acquisitions/:id/imports',
    {
      onRequest: requireRole(READERS, { customerLinks: true }),
      schema: {
        tags: ['spreadsheets'],
        summary: 'List the imports of an acquisition',
        security,
        params: Params,
        response: { ...authErrors },
      },
    },
    async (request) => views.list(principalOf(request), request.params.id),
  );

  app.get(
    '/acquisitions/:id/imports/:importId',
    {
      onRequest: requireRole(READERS, { customerLinks: true }),
      schema: {
        tags: ['spreadsheets'],
        summary: 'An import: status, rows read so far, counts, mapping and findings by row',
        security,
        params: ImportParams,
        querystring: Type.Object({
          findingsOffset: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_OFFSET })),
        }),
        response: { ...authErrors },
      },
    },
    async (request) =>
      views.view(
        principalOf(request),
        request.params.id,
        request.params.importId,
        request.query.findingsOffset,
      ),
  );

  app.get(
    '/acquisitions/:id/imports/:importId/events',
    {
      onRequest: requireRole(READERS, { customerLinks: true }),
      schema: {
        tags: ['spreadsheets'],
        summary: 'Progress of an import as server-sent events: progress, then done',
        security,
        params: ImportParams,
        response: { ...authErrors },
      },
    },
    async (request, reply) => {
      const { id, importId } = request.params;
      const stream = await events.open(principalOf(request), id, importId, request.raw);
      return reply
        .header('content-type', 'text/event-stream')
        .header('cache-control', 'no-cache')
        .send(stream);
    },
  );

  app.get(
    '/acquisitions/:id/imports/:importId/report',
    {
      onRequest: requireRole(READERS, { customerLinks: true }),
      schema: {
        tags: ['spreadsheets'],
        summary:
          "The import report: the customer's rows with a Problems column and the Intake ID of each row's record",
        description:
          'Kept for INTAKE_IMPORT_RETENTION_DAYS after the import finished, then deleted: 410 import.report-expired.',
        security,
        params: ImportParams,
        querystring: Type.Object({
          format: Type.Optional(Type.Enum(['csv', 'xlsx'])),
          sheet: Type.Optional(Type.Integer({ minimum: 0 })),
        }),
        response: { ...authErrors },
      },
    },
    async (request, reply) => {
      const { id, importId } = request.params;
      const job = await views.jobOf(principalOf(request), id, importId);
      const { format, sheet } = request.query;
      return sendDownload(reply, await reports.download(job, format, sheet));
    },
  );
};
