import type { Attachment } from './attachment-repository.js';
import { extensionOf } from './content-type.js';

/**
 * The headers of an attachment's download: its type as read from its first bytes, its size, its
 * name (with the extension of its type when it has none; plain ASCII and UTF-8 forms), no
 * sniffing, and its SHA-256 as `Repr-Digest`.
 */
export function downloadHeaders(attachment: Attachment): Record<string, string | number> {
  const name = attachment.fileName.includes('.')
    ? attachment.fileName
    : `${attachment.fileName}.${extensionOf(attachment.contentType)}`;
  return {
    'content-type': attachment.contentType,
    'content-length': attachment.size,
    'content-disposition': `attachment; filename="${name.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
    'x-content-type-options': 'nosniff',
    'repr-digest': `sha-256=:${Buffer.from(attachment.sha256, 'hex').toString('base64')}:`,
  };
}
