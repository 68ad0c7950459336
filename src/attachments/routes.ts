import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { canReadEntity, isCustomer, readableFields } from '../scope/customer-scope.js';
import { READERS, WRITERS } from '../access/roles.js';
import { principalOf, type RequireRole } from '../access/authenticate.js';
import { authErrors } from '../http/schemas.js';
import type { Attachment } from './attachment-repository.js';
import type { AttachmentService } from './attachment-service.js';
import { AttachmentUploads } from './attachment-uploads.js';
import { downloadHeaders } from './download-headers.js';

const Problem = Type.Ref('Problem');
const Params = Type.Object({ id: Type.String({ maxLength: 100 }) });
const UploadParams = Type.Object({
  id: Type.String({ maxLength: 100 }),
  recordId: Type.String({ maxLength: 100 }),
  field: Type.String({ maxLength: 64 }),
});
const AttachmentParams = Type.Object({
  id: Type.String({ maxLength: 100 }),
  attachmentId: Type.String({ maxLength: 100 }),
});
const AttachmentSchema = Type.Object({
  id: Type.String(),
  recordId: Type.String(),
  entity: Type.String(),
  field: Type.String(),
  fileName: Type.String(),
  contentType: Type.String(),
  size: Type.Integer(),
  sha256: Type.String(),
  createdAt: Type.String(),
  /** Staff only: where to download it. */
  href: Type.Optional(Type.String()),
});

/** An attachment as the API shows it; a customer link gets no download address. */
const present = (a: Attachment, staff: boolean) => ({
  id: a.id,
  recordId: a.recordId,
  entity: a.entity,
  field: a.field,
  fileName: a.fileName,
  contentType: a.contentType,
  size: a.size,
  sha256: a.sha256,
  createdAt: a.createdAt,
  ...(staff ? { href: `/api/v1/acquisitions/${a.acquisitionId}/attachments/${a.id}` } : {}),
});

/** File answers: upload (staff and customer links), list, and download (staff only). */
export const attachmentRoutes: FastifyPluginAsyncTypebox<{
  attachments: AttachmentService;
  requireRole: RequireRole;
}> = async (app, { attachments, requireRole }) => {
  const security = [{ bearerAuth: [] }];
  const uploads = new AttachmentUploads(attachments);
  await app.register(multipart, {
    limits: { fileSize: attachments.maxBytes, files: 1, fields: 0, parts: 2 },
  });

  app.post(
    '/acquisitions/:id/records/:recordId/files/:field',
    {
      onRequest: requireRole(WRITERS, { customerLinks: true }),
      schema: {
        tags: ['attachments'],
        summary: 'Upload the file a field asks for (multipart/form-data, part "file")',
        description:
          "For a field with `format: file` (the signed LOA, a recent invoice). The file must be a PDF, PNG or JPEG, known by its first bytes, and at most INTAKE_ATTACHMENT_MAX_BYTES. It is kept with its SHA-256, and the field is set to the attachment id. A customer link may upload to the customer's fields while the acquisition is collecting.",
        security,
        params: UploadParams,
        consumes: ['multipart/form-data'],
        response: {
          201: Type.Object({
            attachment: AttachmentSchema,
            record: Type.Object({ id: Type.String(), version: Type.Integer() }),
          }),
          400: Problem,
          ...authErrors,
          404: Problem,
          409: Problem,
          413: Problem,
          415: Problem,
          422: Problem,
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { id: acquisitionId, recordId, field } = request.params;
      const result = await uploads.upload(
        { acquisitionId, recordId, field },
        principal,
        request.isMultipart() ? request.parts() : undefined,
      );
      return reply.status(201).send({
        attachment: present(result.attachment, !isCustomer(principal)),
        record: { id: result.record.id, version: result.record.version },
      });
    },
  );

  app.get(
    '/acquisitions/:id/attachments',
    {
      onRequest: requireRole(READERS, { customerLinks: true }),
      schema: {
        tags: ['attachments'],
        summary:
          'The files given as answers (a customer link: those of its own fields, no download)',
        security,
        params: Params,
        response: { 200: Type.Array(AttachmentSchema), ...authErrors, 404: Problem },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { catalog } = await attachments.contextOf(request.params.id);
      const all = await attachments.repository.list(request.params.id);
      return all
        .filter(
          (a) =>
            canReadEntity(catalog, principal, a.entity) &&
            (readableFields(catalog, principal, a.entity)?.has(a.field) ?? true),
        )
        .map((a) => present(a, !isCustomer(principal)));
    },
  );

  app.get(
    '/acquisitions/:id/attachments/:attachmentId',
    {
      onRequest: requireRole(READERS),
      schema: {
        tags: ['attachments'],
        summary: 'Download a file given as an answer (staff only)',
        description:
          'Sent as an attachment with the type read from its first bytes; `Repr-Digest` carries its SHA-256.',
        security,
        params: AttachmentParams,
        response: { ...authErrors, 404: Problem },
      },
    },
    async (request, reply) => {
      const { id, attachmentId } = request.params;
      const { attachment, stream } = await attachments.open(id, attachmentId);
      return reply.headers(downloadHeaders(attachment)).send(stream);
    },
  );
};
