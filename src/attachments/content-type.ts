/** The kinds of file an answer may be, each known by its first bytes (not by its name or header). */
const SIGNATURES: readonly { type: AttachmentType; extension: string; magic: readonly number[] }[] =
  [
    { type: 'application/pdf', extension: 'pdf', magic: [0x25, 0x50, 0x44, 0x46, 0x2d] }, // %PDF-
    {
      type: 'image/png',
      extension: 'png',
      magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    },
    { type: 'image/jpeg', extension: 'jpg', magic: [0xff, 0xd8, 0xff] },
  ];

export type AttachmentType = 'application/pdf' | 'image/png' | 'image/jpeg';

/** How many leading bytes `sniffContentType` needs. */
export const SNIFF_BYTES = 8;

/** The accepted types, for messages and the API description. */
export const ACCEPTED_TYPES = SIGNATURES.map((s) => s.type);

/**
 * The content type a file's first bytes show: PDF, PNG or JPEG; undefined for anything else
 * (whatever its name or the type the sender claimed).
 *
 * @example sniffContentType(Buffer.from('%PDF-1.7')) // 'application/pdf'
 */
export function sniffContentType(head: Uint8Array): AttachmentType | undefined {
  return SIGNATURES.find((s) => s.magic.every((byte, i) => head[i] === byte))?.type;
}

/** The usual extension of an accepted type, for a download's file name. */
export function extensionOf(type: string): string {
  return SIGNATURES.find((s) => s.type === type)?.extension ?? 'bin';
}

/**
 * A file name as sent, safe to store and to put in a Content-Disposition header: no folders,
 * control characters or quotes, at most 120 characters; `fallback` when nothing is left.
 */
export function cleanFileName(name: string | undefined, fallback: string): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const clean = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim();
  return clean.slice(-120) || fallback;
}
