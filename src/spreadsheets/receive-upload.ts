import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Multipart } from '@fastify/multipart';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../data-dir.js';
import { malformedMultipart } from '../http/multipart-errors.js';
import { importErrors } from './import-errors.js';
import type { Upload } from './import-service.js';

/** The import options a form may carry beside the file. */
export type ImportFields = Partial<Record<'mode' | 'match' | 'entity' | 'mapping', string>>;

const OPTION_FIELDS = new Set(['mode', 'match', 'entity', 'mapping']);

/**
 * Streams the multipart part "file" to a new file in `dir` while hashing it, and refuses it past
 * `maxBytes` (`import.file-too-large`) or when there is none (`import.file-missing`: also for a
 * request that is not multipart, given as `undefined`). Other parts named after an import option
 * are returned as its fields; anything else is read and dropped. Nothing is left on disk when it
 * fails.
 */
export async function receiveUpload(
  parts: AsyncIterable<Multipart> | undefined,
  dir: string,
  maxBytes: number,
): Promise<{ upload: Upload; fields: ImportFields }> {
  if (!parts) throw importErrors.fileMissing();
  await makePrivateDir(dir);
  const fields: ImportFields = {};
  let upload: Upload | undefined;
  const path = join(dir, randomUUID());
  try {
    for await (const part of parts) {
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
      } else if (OPTION_FIELDS.has(part.fieldname)) {
        fields[part.fieldname as keyof ImportFields] = String(part.value);
      }
    }
  } catch (error) {
    await rm(path, { force: true });
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
      throw importErrors.fileTooLarge(maxBytes);
    throw malformedMultipart(error) ?? error;
  }
  if (!upload) throw importErrors.fileMissing();
  return { upload, fields };
}
