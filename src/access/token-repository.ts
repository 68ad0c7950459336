import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Role } from './roles.js';

/** An API token as listed to admins: never the token itself. */
export interface ApiToken {
  id: string;
  name: string;
  role: Role;
  createdBy: string | null;
  createdAt: string;
  revokedAt: string | null;
}

const columns = ['id', 'name', 'role', 'created_by', 'created_at', 'revoked_at'] as const;

type Row = Pick<Database['api_tokens'], (typeof columns)[number]>;
const toToken = (row: Row): ApiToken => ({
  id: row.id,
  name: row.name,
  role: row.role as Role,
  createdBy: row.created_by,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
});

/** Stores API tokens by their hash. */
export class TokenRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('api_tokens')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async insert(input: {
    name: string;
    role: Role;
    tokenHash: string;
    createdBy: string | null;
    now: Date;
  }): Promise<ApiToken> {
    const row = {
      id: randomUUID(),
      name: input.name,
      role: input.role,
      token_hash: input.tokenHash,
      created_by: input.createdBy,
      created_at: input.now.toISOString(),
      revoked_at: null,
    };
    await this.db.insertInto('api_tokens').values(row).execute();
    return toToken(row);
  }

  /** The active (not revoked) token with this hash. */
  async findActiveByHash(tokenHash: string): Promise<ApiToken | undefined> {
    const row = await this.db
      .selectFrom('api_tokens')
      .select(columns)
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row && toToken(row);
  }

  async list(): Promise<ApiToken[]> {
    const rows = await this.db
      .selectFrom('api_tokens')
      .select(columns)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toToken);
  }

  /** Revokes a token; false when there is none with this id. */
  async revoke(id: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: now.toISOString() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
