import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** A customer access link as listed to sales (never the token). */
export interface AccessLink {
  id: string;
  acquisitionId: string;
  contactName: string;
  contactEmail: string | null;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  /** When the customer submitted their part through this link. */
  submittedAt: string | null;
  /** When the link was first used: the customer opened it. */
  firstUsedAt: string | null;
  /** When it was sent to the contact by email at issue. */
  emailedAt: string | null;
}

const columns = [
  'id',
  'acquisition_id',
  'contact_name',
  'contact_email',
  'created_by',
  'created_at',
  'expires_at',
  'revoked_at',
  'submitted_at',
  'first_used_at',
  'emailed_at',
] as const;
type Row = Pick<Database['access_links'], (typeof columns)[number]>;
const toLink = (r: Row): AccessLink => ({
  id: r.id,
  acquisitionId: r.acquisition_id,
  contactName: r.contact_name,
  contactEmail: r.contact_email,
  createdBy: r.created_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  submittedAt: r.submitted_at,
  firstUsedAt: r.first_used_at,
  emailedAt: r.emailed_at,
});

/** Customer links, stored by the hash of their token. */
export class LinkRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(
    input: Omit<AccessLink, 'id' | 'revokedAt' | 'submittedAt' | 'firstUsedAt' | 'emailedAt'> & {
      tokenHash: string;
    },
  ): Promise<AccessLink> {
    const row = {
      id: randomUUID(),
      acquisition_id: input.acquisitionId,
      contact_name: input.contactName,
      contact_email: input.contactEmail,
      token_hash: input.tokenHash,
      created_by: input.createdBy,
      created_at: input.createdAt,
      expires_at: input.expiresAt,
      revoked_at: null,
      submitted_at: null,
      first_used_at: null,
      emailed_at: null,
    };
    await this.db.insertInto('access_links').values(row).execute();
    return toLink(row);
  }

  /** The link with this token hash if it is neither revoked nor expired at `now`. */
  async findUsable(tokenHash: string, now: Date): Promise<AccessLink | undefined> {
    const row = await this.db
      .selectFrom('access_links')
      .select(columns)
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now.toISOString())
      .executeTakeFirst();
    return row && toLink(row);
  }

  async list(acquisitionId: string): Promise<AccessLink[]> {
    const rows = await this.db
      .selectFrom('access_links')
      .select(columns)
      .where('acquisition_id', '=', acquisitionId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toLink);
  }

  async revoke(acquisitionId: string, id: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('access_links')
      .set({ revoked_at: now.toISOString() })
      .where('id', '=', id)
      .where('acquisition_id', '=', acquisitionId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Records that the customer submitted their part through the link. */
  async markSubmitted(id: string, at: Date): Promise<void> {
    await this.db
      .updateTable('access_links')
      .set({ submitted_at: at.toISOString() })
      .where('id', '=', id)
      .execute();
  }

  /** The link with this id. */
  async findById(id: string): Promise<AccessLink | undefined> {
    const row = await this.db
      .selectFrom('access_links')
      .select(columns)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toLink(row);
  }

  /** Records the link's first use; later uses change nothing (and cost no write). */
  async markUsed(id: string, at: Date): Promise<void> {
    await this.db
      .updateTable('access_links')
      .set({ first_used_at: at.toISOString() })
      .where('id', '=', id)
      .where('first_used_at', 'is', null)
      .execute();
  }

  /** Records that the link was sent to its contact by email. */
  async markEmailed(id: string, at: Date): Promise<void> {
    await this.db
      .updateTable('access_links')
      .set({ emailed_at: at.toISOString() })
      .where('id', '=', id)
      .execute();
  }
}
