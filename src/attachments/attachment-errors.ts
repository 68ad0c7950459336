import { AppError } from '../errors.js';

/** Errors of file answers (codes listed in errors.ts and docs/errors.md). */
export const attachmentErrors = {
  fileMissing: () =>
    new AppError(
      'attachment.file-missing',
      400,
      'Send the file as multipart/form-data in a part named "file".',
    ),
  tooLarge: (limit: number) =>
    new AppError(
      'attachment.too-large',
      413,
      `The file is larger than the limit of ${limit} bytes (INTAKE_ATTACHMENT_MAX_BYTES).`,
      [],
      { limit },
    ),
  typeRefused: (accepted: readonly string[]) =>
    new AppError(
      'attachment.type-refused',
      415,
      'The file is not a PDF, PNG or JPEG. Save or scan it as one of those and upload it again.',
      [{ pointer: '/file', detail: `must be one of ${accepted.join(', ')}` }],
    ),
  notFileField: (entity: string, field: string) =>
    new AppError(
      'attachment.field-invalid',
      422,
      `"${field}" is not a field of ${entity} that takes a file.`,
      [{ pointer: '/field', detail: 'must be a field with format file' }],
    ),
  notFound: (id: string) =>
    new AppError(
      'attachment.not-found',
      404,
      `There is no attachment "${id}" in this acquisition.`,
    ),
} as const;
