import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { assertMayWrite, isCustomer, scopeErrors } from '../scope/customer-scope.js';
import type { Principal } from '../access/roles.js';
import type { AcquisitionService } from '../acquisitions/acquisition-service.js';
import type { StoredRecord } from '../capture/capture-repository.js';
import type { CaptureService } from '../capture/capture-service.js';
import type { Database } from '../db/schema.js';
import { attachmentErrors } from './attachment-errors.js';
import { AttachmentRepository, type Attachment } from './attachment-repository.js';
import { AttachmentStore, type ReceivedFile } from './attachment-store.js';
import { ACCEPTED_TYPES } from './content-type.js';

/** Where a file answer goes: a record's field with `format: file`. */
export interface FileTarget {
  acquisitionId: string;
  recordId: string;
  field: string;
}

/**
 * File answers (a signed LOA, an invoice): checks who may give one for which field, keeps the
 * file (size limit, type by its first bytes, SHA-256), records its metadata and sets the record's
 * field to the attachment's id through the capture engine, so completeness, history and the
 * customer scope apply as to any other answer.
 */
export class AttachmentService {
  readonly repository: AttachmentRepository;
  readonly store: AttachmentStore;

  constructor(
    db: Kysely<Database>,
    private readonly capture: CaptureService,
    private readonly acquisitions: AcquisitionService,
    dataDir: string,
    readonly maxBytes: number,
    private readonly now: () => Date,
  ) {
    this.repository = new AttachmentRepository(db);
    this.store = new AttachmentStore(dataDir);
  }

  /**
   * Refuses, before any byte is read, an upload the caller may not make: a record it cannot see
   * (404), a field that takes no file (422), a field that is not the customer's or an acquisition
   * that is not collecting (for a link).
   */
  async check(target: FileTarget, principal: Principal): Promise<StoredRecord> {
    const acquisition = await this.acquisitions.get(target.acquisitionId);
    const record = await this.capture.get(target.acquisitionId, target.recordId, principal);
    const { catalog } = await this.capture.engine.context(target.acquisitionId);
    const field = catalog.entities.get(record.entity)?.fields.find((f) => f.id === target.field);
    if (!field || field.format !== 'file')
      throw attachmentErrors.notFileField(record.entity, target.field);
    if (isCustomer(principal) && field.owner !== 'customer')
      throw scopeErrors.fieldNotYours(field.id, field.owner);
    assertMayWrite(principal, acquisition.state);
    return record;
  }

  /** Streams the file to disk; see `accept` for what happens next. */
  receive(file: Readable): Promise<ReceivedFile> {
    return this.store.receive(file);
  }

  /**
   * Keeps a received file as the answer of the target field, or deletes it and refuses it (415
   * for a type other than PDF, PNG or JPEG). Returns the attachment and the record as written.
   */
  async accept(
    target: FileTarget,
    record: StoredRecord,
    received: ReceivedFile,
    fileName: string,
    principal: Principal,
  ): Promise<{ attachment: Attachment; record: StoredRecord }> {
    if (!received.contentType) {
      await this.store.discard(received.path);
      throw attachmentErrors.typeRefused(ACCEPTED_TYPES);
    }
    const attachment: Attachment = {
      id: `att_${randomUUID()}`,
      acquisitionId: target.acquisitionId,
      recordId: record.id,
      entity: record.entity,
      field: target.field,
      fileName,
      contentType: received.contentType,
      size: received.size,
      sha256: received.sha256,
      createdBy: principal.name,
      createdAt: this.now().toISOString(),
    };
    await this.store.keep(received, target.acquisitionId, attachment.id);
    try {
      await this.repository.insert(attachment);
      const result = await this.capture.write(
        target.acquisitionId,
        [{ op: 'update', id: record.id, patch: { [target.field]: attachment.id } }],
        principal,
      );
      return { attachment, record: result.records[0]! };
    } catch (error) {
      await this.repository.delete(attachment.id);
      await this.store.remove(target.acquisitionId, attachment.id);
      throw error;
    }
  }

  /** The pinned catalogue of an acquisition (404 when there is no such acquisition). */
  async contextOf(acquisitionId: string) {
    await this.acquisitions.get(acquisitionId);
    return this.capture.engine.context(acquisitionId);
  }

  /** An attachment and its bytes (staff only: the route checks the role). */
  async open(acquisitionId: string, id: string) {
    await this.acquisitions.get(acquisitionId);
    const attachment = await this.repository.get(acquisitionId, id);
    if (!attachment) throw attachmentErrors.notFound(id);
    return { attachment, stream: this.store.open(acquisitionId, id) };
  }
}
