import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/** How a sealed value starts: `enc:v1:<key id>:<iv>:<tag>:<ciphertext>`, the parts in base64url. */
export const SEALED_PREFIX = 'enc:v1:';

/**
 * AES-256-GCM under one 32-byte key. Each value gets a fresh 96-bit IV; the tag authenticates it, so
 * a changed or truncated value fails to open instead of decrypting to rubbish. The key id (a keyed
 * hash of a constant) names the key in every sealed value, so values under an old key are found
 * and a wrong key is detected without trying to decrypt.
 */
export class SecretBox {
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('A secret key has 32 bytes.');
    this.keyId = createHmac('sha256', key)
      .update('intake-secret-key-id')
      .digest('hex')
      .slice(0, 12);
  }

  /** The key's bytes, for a worker thread of this process to load the same key (never logged). */
  keyBytes(): Buffer {
    return Buffer.from(this.key);
  }

  /** Seals a text. */
  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url'));
    return `${SEALED_PREFIX}${this.keyId}:${parts.join(':')}`;
  }

  /** Opens a value this key sealed; throws when it was changed or sealed under another key. */
  open(sealed: string): string {
    const [kid, iv, tag, body] = sealed.slice(SEALED_PREFIX.length).split(':');
    if (kid !== this.keyId || !iv || !tag || body === undefined)
      throw new Error('The value was sealed under another key.');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(body, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  }
}

/** True for a value sealed by a SecretBox. */
export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(SEALED_PREFIX);
}

/** The id of the key a sealed value names. */
export function keyIdOf(sealed: string): string {
  return sealed.slice(SEALED_PREFIX.length).split(':')[0] ?? '';
}

/** Reads a key given as 64 hex digits or base64 of 32 bytes; undefined when it is neither. */
export function parseSecretKey(text: string): Buffer | undefined {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  const b = Buffer.from(t, 'base64');
  return b.length === 32 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(t) ? b : undefined;
}
