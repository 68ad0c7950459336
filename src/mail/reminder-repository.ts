import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, ReminderTable } from '../db/schema.js';
import type { DueFollowUp, LinkContact } from './follow-up-recipients.js';

/** A link issued long enough ago, never opened, with an address and no reminder yet. */
export interface UnusedLink {
  id: string;
  acquisitionId: string;
  customerName: string;
  contactName: string;
  contactEmail: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
}

/** Customers only answer while an acquisition is collecting: reminders go for those alone. */
const COLLECTING = 'collecting';

/** What the reminder sweep reads, and the record of reminders sent. */
export class ReminderRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Usable links issued before `issuedBefore`, never used or submitted, not yet reminded. */
  async unusedLinks(issuedBefore: Date, now: Date): Promise<UnusedLink[]> {
    const rows = await this.db
      .selectFrom('access_links as l')
      .innerJoin('acquisitions as a', 'a.id', 'l.acquisition_id')
      .leftJoin('reminders as r', (j) =>
        j.onRef('r.subject_id', '=', 'l.id').on('r.kind', '=', 'unused-link'),
      )
      .select([
        'l.id',
        'l.acquisition_id',
        'a.customer_name',
        'l.contact_name',
        'l.contact_email',
        'l.created_by',
        'l.created_at',
        'l.expires_at',
      ])
      .where('l.first_used_at', 'is', null)
      .where('l.submitted_at', 'is', null)
      .where('l.revoked_at', 'is', null)
      .where('l.contact_email', 'is not', null)
      .where('l.created_at', '<=', issuedBefore.toISOString())
      .where('l.expires_at', '>', now.toISOString())
      .where('a.state', '=', COLLECTING)
      .where('r.id', 'is', null)
      .orderBy('l.created_at')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      acquisitionId: r.acquisition_id,
      customerName: r.customer_name,
      contactName: r.contact_name,
      contactEmail: r.contact_email!,
      createdBy: r.created_by,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
    }));
  }

  /** Open follow-ups due on or before `today` (YYYY-MM-DD) not yet reminded. */
  async dueFollowUps(today: string): Promise<DueFollowUp[]> {
    const rows = await this.db
      .selectFrom('follow_ups as f')
      .innerJoin('acquisitions as a', 'a.id', 'f.acquisition_id')
      .innerJoin('records as rec', 'rec.id', 'f.record_id')
      .leftJoin('reminders as r', (j) =>
        j.onRef('r.subject_id', '=', 'f.id').on('r.kind', '=', 'follow-up'),
      )
      .select([
        'f.id',
        'f.acquisition_id',
        'a.customer_name',
        'f.contact',
        'rec.entity',
        'f.field',
        'f.due_date',
        'f.note',
      ])
      .where('f.resolved_at', 'is', null)
      .where('f.due_date', '<=', today)
      .where('a.state', '=', COLLECTING)
      .where('r.id', 'is', null)
      .orderBy('f.acquisition_id')
      .orderBy('f.due_date')
      .orderBy('f.id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      acquisitionId: r.acquisition_id,
      customerName: r.customer_name,
      contact: r.contact,
      entity: r.entity,
      field: r.field,
      dueDate: r.due_date,
      note: r.note,
    }));
  }

  /** The addresses of the usable links of these acquisitions, newest last. */
  async linkContacts(acquisitionIds: readonly string[], now: Date): Promise<LinkContact[]> {
    if (acquisitionIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('access_links')
      .select(['acquisition_id', 'contact_name', 'contact_email'])
      .where('acquisition_id', 'in', [...new Set(acquisitionIds)])
      .where('contact_email', 'is not', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now.toISOString())
      .orderBy('created_at')
      .execute();
    return rows.map((r) => ({
      acquisitionId: r.acquisition_id,
      contactName: r.contact_name,
      contactEmail: r.contact_email!,
    }));
  }

  /**
   * Claims a reminder before it is sent: true when this call recorded it, false when it was
   * already (by an earlier sweep, or another process at the same moment).
   */
  async claim(
    kind: ReminderTable['kind'],
    subjectId: string,
    acquisitionId: string,
    at: Date,
  ): Promise<boolean> {
    const result = await this.db
      .insertInto('reminders')
      .values({
        id: randomUUID(),
        kind,
        subject_id: subjectId,
        acquisition_id: acquisitionId,
        sent_at: at.toISOString(),
      })
      .onConflict((oc) => oc.columns(['kind', 'subject_id']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  /** Gives a claim back when sending failed, so the next sweep tries again. */
  async release(kind: ReminderTable['kind'], subjectIds: readonly string[]): Promise<void> {
    if (subjectIds.length === 0) return;
    await this.db
      .deleteFrom('reminders')
      .where('kind', '=', kind)
      .where('subject_id', 'in', [...subjectIds])
      .execute();
  }
}
