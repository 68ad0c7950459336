import { rm } from 'node:fs/promises';
import type { Multipart } from '@fastify/multipart';
import { isCustomer } from '../scope/customer-scope.js';
import type { Principal } from '../access/roles.js';
import type { AcquisitionService } from '../acquisitions/acquisition-service.js';
import { AppError } from '../errors.js';
import { readImportOptions, type ImportOptions } from './import-options.js';
import type { ImportJob } from './import-repository.js';
import type { ImportService, StartedImport } from './import-service.js';
import { receiveUpload, type ImportFields } from './receive-upload.js';

/** An upload as it arrives: the multipart parts (undefined when the body is not multipart). */
export interface UploadRequest {
  acquisitionId: string;
  parts: AsyncIterable<Multipart> | undefined;
  /** The options in the query string; form fields of the same name win. */
  query: ImportFields;
  /** The `Idempotency-Key` header as sent. */
  idempotencyKey: string | string[] | undefined;
  principal: Principal;
}

/**
 * Receives an import's upload and starts its job: the acquisition must exist before a byte is
 * read; the file is streamed to disk while hashed; the options are checked, and the file removed
 * when they are refused. The job then owns the file.
 */
export class ImportUploads {
  constructor(
    private readonly imports: ImportService,
    private readonly acquisitions: AcquisitionService,
    private readonly maxBytes: number,
  ) {}

  async start(request: UploadRequest): Promise<StartedImport> {
    const { acquisitionId, principal, idempotencyKey } = request;
    await this.acquisitions.get(acquisitionId);
    const { upload, fields } = await receiveUpload(
      request.parts,
      this.imports.incomingDir(),
      this.maxBytes,
    );
    let options: ImportOptions;
    try {
      options = readImportOptions(request.query, fields, upload.fileName);
    } catch (error) {
      await rm(upload.path, { force: true });
      throw error;
    }
    return this.imports.start({
      acquisitionId,
      upload,
      ...options,
      idempotencyKey:
        typeof idempotencyKey === 'string' && idempotencyKey ? idempotencyKey : undefined,
      actor: principal.name,
      createdBy: principal.tokenId,
      customerOnly: isCustomer(principal),
    });
  }

  /** Waits for a started job to finish; a failed job is thrown as the error it ended with. */
  async finished(started: StartedImport): Promise<ImportJob> {
    const job = await started.done;
    if (job.status === 'failed' && job.error) {
      const { code, status, detail, errors: details = [], extra = {} } = job.error;
      throw new AppError(code, status, detail, details, { ...extra, importId: job.id });
    }
    return job;
  }
}
