import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { access, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { audienceOf as scopeAudience, canSeeImport, isCustomer } from '../access/customer-scope.js';
import { READERS, WRITERS } from '../access/roles.js';
import type { AcquisitionService } from '../acquisitions/acquisition-service.js';
import type { CaptureService } from '../capture/capture-service.js';
import type { ImportLimits } from '../config.js';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../data-dir.js';
import { AppError, errors } from '../errors.js';
import { principalOf, type RequireRole } from '../http/authenticate.js';
import { findNul, nulCharacter } from '../http/reject-nul.js';
import { authErrors } from '../http/schemas.js';
import type { MappingOverride } from './header-mapping.js';
import { importErrors } from './import-errors.js';
import type { ImportJob, ImportJobView, ImportMode, MatchMode } from './import-repository.js';
import type { ImportService, Upload } from './import-service.js';
import { writeReportXlsx } from './report-xlsx.js';
import type { Audience } from './sheet-columns.js';
import { buildTemplateCsv, buildTemplateXlsx } from './template.js';
import { templateEntities, templateRowGroups, templateSheets } from './template-sheets.js';

const Params = Type.Object({ id: Type.String({ maxLength: 100 }) });
const ImportParams = Type.Object({
  id: Type.String({ maxLength: 100 }),
  importId: Type.String({ maxLength: 100 }),
});
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const FINDINGS_SHOWN = 1000;
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

  const present = async (job: ImportJob): Promise<ImportJobView> => {
    const base = `/api/v1/acquisitions/${job.acquisitionId}/imports/${job.id}`;
    const done = job.status === 'completed';
    const reportKept = done && job.filesRemovedAt === null;
    const progress = imports.progressOf(job.id);
    return {
      ...job,
      rowsRead: progress?.rowsRead ?? job.rowsRead,
      findingsTotal: done ? await imports.jobs.countFindings(job.id) : 0,
      findings: done ? await imports.jobs.findings(job.id, FINDINGS_SHOWN) : [],
      links: {
        self: base,
        events: `${base}/events`,
        ...(reportKept
          ? { reportCsv: `${base}/report?format=csv`, reportXlsx: `${base}/report?format=xlsx` }
          : {}),
      },
    };
  };

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
      const { format = 'xlsx', entity, layout = 'entities' } = request.query;
      const audience = audienceOf(request);
      const acquisition = await acquisitions.get(request.params.id);
      const ctx = await capture.engine.context(acquisition.id);
      const templated = templateEntities(ctx, audience);
      const allGroups = templateRowGroups(ctx, templated);
      const group = entity ? allGroups.find((g) => g.id === entity) : undefined;
      const groups = group ? [group] : layout === 'combined' && !entity ? allGroups : [];
      const entities = templated.filter(
        (e) => !entity || e.id === entity || (group?.entities.includes(e.id) ?? false),
      );
      if (entity && entities.length === 0) {
        throw importErrors.invalidMapping([
          { pointer: '/entity', detail: `"${entity}" is not an entity this template has` },
        ]);
      }
      if (format === 'csv' && !entity)
        throw errors.invalidRequest(
          'A CSV template holds one entity or row group: name it with entity=…',
          [{ pointer: '/entity', detail: 'is required with format=csv' }],
        );
      const records = new Map(
        await Promise.all(
          entities.map(
            async (e) => [e.id, await capture.recordsOfEntity(acquisition.id, e.id)] as const,
          ),
        ),
      );
      const sheets = templateSheets(ctx, audience, entities, groups, records);
      const name = `intake-${acquisition.proposalReference.replace(/[^\w.-]+/g, '_')}`;
      if (format === 'csv') {
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}-${entity}.csv"`)
          .send(buildTemplateCsv(sheets[0]!));
      }
      const body = await buildTemplateXlsx({ acquisition, audience, sheets });
      return reply
        .header('content-type', XLSX)
        .header('content-disposition', `attachment; filename="${name}.xlsx"`)
        .send(body);
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
      const principal = principalOf(request);
      await acquisitions.get(request.params.id);
      const { upload, fields } = await receiveUpload(
        request,
        imports.incomingDir(),
        limits.maxBytes,
      );
      const options = { ...request.query, ...fields };
      let mapping: MappingOverride | Record<string, MappingOverride> | undefined;
      try {
        const nul = findNul({ ...fields, fileName: upload.fileName });
        if (nul.length > 0) throw nulCharacter(nul);
        mapping = options.mapping ? parseMapping(options.mapping) : undefined;
        if (options.mode && !['validate', 'all-or-nothing', 'valid-rows'].includes(options.mode))
          throw errors.invalidRequest('Unknown import mode', [
            { pointer: '/mode', detail: 'must be validate, all-or-nothing or valid-rows' },
          ]);
        if (options.match && !['merge', 'add'].includes(options.match))
          throw errors.invalidRequest('Unknown match', [
            { pointer: '/match', detail: 'must be merge or add' },
          ]);
      } catch (error) {
        await rm(upload.path, { force: true });
        throw error;
      }
      const idempotencyKey = request.headers['idempotency-key'];
      const started = await imports.start({
        acquisitionId: request.params.id,
        upload,
        mode: (options.mode as ImportMode | undefined) ?? 'valid-rows',
        match: (options.match as MatchMode | undefined) ?? 'merge',
        entity: options.entity || undefined,
        mapping,
        idempotencyKey:
          typeof idempotencyKey === 'string' && idempotencyKey ? idempotencyKey : undefined,
        actor: principal.name,
        createdBy: principal.tokenId,
        customerOnly: isCustomer(principal),
      });
      if (started.replayed) void reply.header('idempotent-replayed', 'true');
      const location = `/api/v1/acquisitions/${request.params.id}/imports/${started.job.id}`;
      void reply.header('location', location);
      const preferAsync = /respond-async/i.test(String(request.headers.prefer ?? ''));
      if (preferAsync) return reply.status(202).send(await present(started.job));
      const job = await started.done;
      if (job.status === 'failed' && job.error) {
        const { code, status, detail, errors: details = [], extra = {} } = job.error;
        throw new AppError(code, status, detail, details, { ...extra, importId: job.id });
      }
      return reply.status(started.replayed ? 200 : 201).send(await present(job));
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
    async (request) => {
      await acquisitions.get(request.params.id);
      const principal = principalOf(request);
      const jobs = await imports.jobs.list(request.params.id);
      return {
        items: jobs
          .filter((j) => canSeeImport(principal, j.createdBy))
          .map((j) => ({
            ...j,
            rowsRead: imports.progressOf(j.id)?.rowsRead ?? j.rowsRead,
          })),
      };
    },
  );

  /** The job, if the caller may see it: a customer link sees only the imports it made. */
  const jobOf = async (request: FastifyRequest, acquisitionId: string, importId: string) => {
    const job = await imports.jobs.get(acquisitionId, importId);
    if (!job || !canSeeImport(principalOf(request), job.createdBy))
      throw importErrors.notFound(importId);
    return job;
  };

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
          findingsOffset: Type.Optional(Type.Integer({ minimum: 0 })),
        }),
        response: { ...authErrors },
      },
    },
    async (request) => {
      const job = await jobOf(request, request.params.id, request.params.importId);
      const shown = await present(job);
      const offset = request.query.findingsOffset ?? 0;
      if (offset > 0 && job.status === 'completed')
        shown.findings = await imports.jobs.findings(job.id, FINDINGS_SHOWN, offset);
      return shown;
    },
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
      const job = await jobOf(request, request.params.id, request.params.importId);
      const stream = new PassThrough();
      const send = (event: string, data: unknown) =>
        stream.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      const finish = (finished: ImportJob) => {
        send('done', finished);
        stream.end();
      };
      const onProgress = (p: unknown) => send('progress', p);
      const onDone = (finished: ImportJob) => finish(finished);
      const progress = job.status === 'running' ? imports.progressOf(job.id) : undefined;
      if (!progress) {
        // Finished, perhaps between reading the job and now: send it as it is stored.
        finish(job.status === 'running' ? await jobOf(request, job.acquisitionId, job.id) : job);
      } else {
        send('progress', progress);
        imports.events.on(`progress:${job.id}`, onProgress);
        imports.events.once(`done:${job.id}`, onDone);
        const stop = () => {
          imports.events.off(`progress:${job.id}`, onProgress);
          imports.events.off(`done:${job.id}`, onDone);
        };
        stream.on('close', stop);
        request.raw.on('close', () => {
          stop();
          stream.end();
        });
      }
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
      const job = await jobOf(request, request.params.id, request.params.importId);
      if (job.filesRemovedAt !== null) throw importErrors.reportExpired(job.id, job.filesRemovedAt);
      if (job.status !== 'completed') throw importErrors.reportNotReady(job.id);
      const base = job.fileName.replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '_') || 'import';
      const reports = job.sheets.map((s, i) => ({
        name: s.name,
        path: imports.reportFile(job.id, i),
      }));
      for (const r of reports) {
        try {
          await access(r.path);
        } catch {
          throw importErrors.reportNotReady(job.id);
        }
      }
      if ((request.query.format ?? 'xlsx') === 'csv') {
        const sheet = request.query.sheet ?? 0;
        const report = reports[sheet];
        if (!report) throw importErrors.notFound(`${job.id} sheet ${sheet}`);
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${base}-report.csv"`)
          .send(createReadStream(report.path));
      }
      const out = new PassThrough();
      writeReportXlsx(reports, out).catch((error: unknown) => out.destroy(error as Error));
      return reply
        .header('content-type', XLSX)
        .header('content-disposition', `attachment; filename="${base}-report.xlsx"`)
        .send(out);
    },
  );
};

/** A form field or query value of the import options. */
type ImportFields = Partial<Record<'mode' | 'match' | 'entity' | 'mapping', string>>;

/**
 * Streams the multipart part "file" to disk while hashing it; refuses it past the size limit.
 * Other parts are the import options.
 */
async function receiveUpload(
  request: FastifyRequest,
  dir: string,
  maxBytes: number,
): Promise<{ upload: Upload; fields: ImportFields }> {
  if (!request.isMultipart()) throw importErrors.fileMissing();
  await makePrivateDir(dir);
  const fields: ImportFields = {};
  let upload: Upload | undefined;
  const path = join(dir, randomUUID());
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file' || upload) {
          part.file.resume();
          continue;
        }
        const hash = createHash('sha256');
        await pipeline(
          part.file,
          new Transform({
            transform(chunk: Buffer, _enc, done) {
              hash.update(chunk);
              done(null, chunk);
            },
          }),
          createWriteStream(path, { mode: PRIVATE_FILE_MODE }),
        );
        if (part.file.truncated) throw importErrors.fileTooLarge(maxBytes);
        upload = { path, fileName: part.filename || 'upload', sha256: hash.digest('hex') };
      } else if (['mode', 'match', 'entity', 'mapping'].includes(part.fieldname)) {
        fields[part.fieldname as keyof ImportFields] = String(part.value);
      }
    }
  } catch (error) {
    await rm(path, { force: true });
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
      throw importErrors.fileTooLarge(maxBytes);
    throw error;
  }
  if (!upload) throw importErrors.fileMissing();
  return { upload, fields };
}

function parseMapping(text: string): MappingOverride | Record<string, MappingOverride> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw importErrors.invalidMapping([{ pointer: '/mapping', detail: 'is not valid JSON' }]);
  }
  const isMap = (v: unknown): v is MappingOverride =>
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.values(v).every((x) => x === null || typeof x === 'string');
  if (isMap(parsed)) return parsed;
  if (typeof parsed === 'object' && parsed !== null && Object.values(parsed).every(isMap))
    return parsed as Record<string, MappingOverride>;
  throw importErrors.invalidMapping([
    {
      pointer: '/mapping',
      detail: 'must map headers to field ids (or null), optionally by sheet name',
    },
  ]);
}
