import { createHash, randomBytes } from 'node:crypto';

/** A new API token: `itk_` and 32 random bytes, base64url. Shown once, stored only as a hash. */
export function generateToken(): string {
  return `itk_${randomBytes(32).toString('base64url')}`;
}

/**
 * The stored form of a token. Tokens are long random strings, so one SHA-256 is enough:
 * there is nothing to guess that a slow hash would protect.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
