import type { Multipart } from '@fastify/multipart';
import type { Principal } from '../access/roles.js';
import type { StoredRecord } from '../capture/capture-repository.js';
import { attachmentErrors } from './attachment-errors.js';
import type { Attachment } from './attachment-repository.js';
import type { AttachmentService, FileTarget } from './attachment-service.js';
import type { ReceivedFile } from './attachment-store.js';
import { cleanFileName } from './content-type.js';
import { malformedMultipart } from '../http/multipart-errors.js';

/**
 * Receives a file answer from a multipart upload: the caller's right to answer the field is
 * checked before a byte is read; then the part "file" is streamed to disk (others are drained),
 * refused past the size limit, and kept as the field's answer. A file that is not kept is deleted.
 */
export class AttachmentUploads {
  constructor(private readonly attachments: AttachmentService) {}

  /** `parts` is undefined when the request is not multipart (`attachment.file-missing`). */
  async upload(
    target: FileTarget,
    principal: Principal,
    parts: AsyncIterable<Multipart> | undefined,
  ): Promise<{ attachment: Attachment; record: StoredRecord }> {
    const record = await this.attachments.check(target, principal);
    if (!parts) throw attachmentErrors.fileMissing();
    const received = await this.receive(parts);
    return this.attachments.accept(target, record, received.file, received.name, principal);
  }

  private async receive(
    parts: AsyncIterable<Multipart>,
  ): Promise<{ file: ReceivedFile; name: string }> {
    const { store, maxBytes } = this.attachments;
    let received: { file: ReceivedFile; name: string } | undefined;
    try {
      for await (const part of parts) {
        if (part.type !== 'file' || part.fieldname !== 'file' || received) {
          if (part.type === 'file') part.file.resume();
          continue;
        }
        const file = await this.attachments.receive(part.file);
        received = { file, name: cleanFileName(part.filename, 'file') };
        if (part.file.truncated) {
          await store.discard(file.path);
          throw attachmentErrors.tooLarge(maxBytes);
        }
      }
    } catch (error) {
      if (received) await store.discard(received.file.path);
      if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
        throw attachmentErrors.tooLarge(maxBytes);
      throw malformedMultipart(error) ?? error;
    }
    if (!received) throw attachmentErrors.fileMissing();
    return received;
  }
}
