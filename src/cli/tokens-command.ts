import { hostname, userInfo } from 'node:os';
import { ROLES, type Role } from '../access/roles.js';
import { TokenRepository } from '../access/token-repository.js';
import { generateToken, hashToken } from '../access/tokens.js';
import type { DatabaseHandle } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';
import type { RemoteOut } from './remote.js';

export const TOKENS_USAGE =
  'Usage: intake tokens create --role <admin|sales|engineer|viewer> [--name <name>]';

/**
 * `intake tokens create`: issues an API token straight into the database (DATABASE_URL), with no
 * server and no other token, for when the last admin token is lost or revoked. Whoever can run
 * this on the machine can read the database anyway. Prints the token once, alone on stdout (so
 * that `$(intake tokens create …)` captures it), and what it did on stderr. Returns the exit code.
 */
export async function runTokensCommand(
  args: string[],
  options: { role?: string; name?: string },
  openDatabase: () => DatabaseHandle,
  out: RemoteOut,
  now: () => Date = () => new Date(),
): Promise<number> {
  if (args[0] !== 'create' || args.length > 1) {
    out.error(TOKENS_USAGE);
    return 2;
  }
  const role = options.role as Role | undefined;
  if (!role || !ROLES.includes(role)) {
    out.error(`${options.role ? `"${options.role}" is not a role. ` : ''}${TOKENS_USAGE}`);
    return 2;
  }
  const name = options.name?.trim() || `${role}-cli-${now().toISOString().slice(0, 10)}`;
  if (name.length > 100) {
    out.error('--name may have at most 100 characters.');
    return 2;
  }
  const database = openDatabase();
  try {
    await migrateToLatest(database.db, database.schema);
    const token = generateToken();
    const saved = await new TokenRepository(database.db).insert({
      name,
      role,
      tokenHash: hashToken(token),
      createdBy: `cli:${whoRuns()}`,
      now: now(),
    });
    out.log(token);
    out.error(
      `Created ${role} token "${saved.name}" (${saved.id}). It is shown only this once; keep it safe.`,
    );
    return 0;
  } finally {
    await database.close();
  }
}

/** The machine user who issued a token from the command line, for the token's `createdBy`. */
function whoRuns(): string {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return hostname();
  }
}
