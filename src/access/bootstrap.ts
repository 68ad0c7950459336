import type { TokenRepository } from './token-repository.js';
import { generateToken, hashToken } from './tokens.js';

/**
 * Makes sure an admin can get in on first start. When no token exists yet, the configured
 * admin token (or, without one, a generated token) becomes the first admin token.
 * Returns the generated token so the caller can print it once, or null.
 */
export async function ensureFirstAdminToken(
  tokens: TokenRepository,
  configured: string | undefined,
  now: Date,
): Promise<{ generated: string | null; created: boolean }> {
  if ((await tokens.count()) > 0) return { generated: null, created: false };
  const token = configured ?? generateToken();
  await tokens.insert({
    name: 'first-admin',
    role: 'admin',
    tokenHash: hashToken(token),
    createdBy: null,
    now,
  });
  return { generated: configured ? null : token, created: true };
}
