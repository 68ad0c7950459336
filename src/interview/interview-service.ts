import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { assertMayFollowUp, assertMayWrite, isCustomer } from '../access/customer-scope.js';
import type { Principal } from '../access/roles.js';
import { CaptureRepository } from '../capture/capture-repository.js';
import type { CaptureService } from '../capture/capture-service.js';
import { FIELD_RULES } from '../capture/plan-records.js';
import type { Database } from '../db/schema.js';
import { nextQuestions, type InterviewQuery, type Question } from './next-questions.js';

/** A field the customer will provide later, with when and who. */
export interface FollowUp {
  id: string;
  recordId: string;
  field: string;
  dueDate: string;
  contact: string;
  note: string | null;
  createdBy: string;
  createdAt: string;
  resolvedAt: string | null;
}

/** An answer: a value (source `interview`, with an optional note), or a promise to follow up. */
export interface Answer {
  recordId: string;
  field: string;
  value?: unknown;
  note?: string;
  followUp?: { dueDate: string; contact: string };
}

/** The guided interview over an acquisition's missing and invalid required fields. */
export class InterviewService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly capture: CaptureService,
    private readonly now: () => Date,
  ) {}

  async questions(
    acquisitionId: string,
    query: InterviewQuery,
    offset: number,
    limit: number,
  ): Promise<{ total: number; questions: Question[] }> {
    const ctx = await this.capture.contexts.get(acquisitionId);
    const repo = new CaptureRepository(this.db);
    const [records, findings, followUps] = await Promise.all([
      repo.recordsForValidation(acquisitionId),
      repo.findings(acquisitionId),
      this.followUps(acquisitionId, false),
    ]);
    const invalid = new Map<string, Map<string, string>>();
    for (const f of findings) {
      if (!FIELD_RULES.has(f.rule)) continue;
      const map = invalid.get(f.recordId) ?? new Map<string, string>();
      map.set(f.field, f.message);
      invalid.set(f.recordId, map);
    }
    const followed = new Set(followUps.map((f) => `${f.recordId}\u0000${f.field}`));
    const all = nextQuestions(ctx, records, invalid, followed, query);
    return { total: all.length, questions: all.slice(offset, offset + limit) };
  }

  /** Records an answer through the capture engine, or a follow-up; an answer resolves the field's open follow-ups. */
  async answer(acquisitionId: string, answer: Answer, by: Principal) {
    if (answer.followUp) {
      const record = await this.capture.get(acquisitionId, answer.recordId, by);
      // A follow-up is a write: a link makes one only while collecting, on a field of its own.
      const state = await this.db
        .selectFrom('acquisitions')
        .select('state')
        .where('id', '=', acquisitionId)
        .executeTakeFirstOrThrow();
      assertMayWrite(by, state.state);
      const { catalog } = await this.capture.contexts.get(acquisitionId);
      assertMayFollowUp(catalog, by, record.entity, answer.field);
      const followUp: FollowUp = {
        id: randomUUID(),
        recordId: answer.recordId,
        field: answer.field,
        dueDate: answer.followUp.dueDate,
        contact: answer.followUp.contact,
        note: answer.note ?? null,
        createdBy: by.name,
        createdAt: this.now().toISOString(),
        resolvedAt: null,
      };
      await this.db
        .insertInto('follow_ups')
        .values({
          id: followUp.id,
          acquisition_id: acquisitionId,
          record_id: followUp.recordId,
          field: followUp.field,
          due_date: followUp.dueDate,
          contact: followUp.contact,
          note: followUp.note,
          created_by: followUp.createdBy,
          created_at: followUp.createdAt,
          resolved_at: null,
        })
        .execute();
      return { followUp };
    }
    const result = await this.capture.write(
      acquisitionId,
      [{ op: 'update', id: answer.recordId, patch: { [answer.field]: answer.value ?? null } }],
      by,
      isCustomer(by) ? 'portal' : 'interview',
      answer.note,
    );
    await this.db
      .updateTable('follow_ups')
      .set({ resolved_at: this.now().toISOString() })
      .where('acquisition_id', '=', acquisitionId)
      .where('record_id', '=', answer.recordId)
      .where('field', '=', answer.field)
      .where('resolved_at', 'is', null)
      .execute();
    return { record: result.records[0]!, findings: result.findings };
  }

  async followUps(acquisitionId: string, includeResolved: boolean): Promise<FollowUp[]> {
    let query = this.db
      .selectFrom('follow_ups')
      .selectAll()
      .where('acquisition_id', '=', acquisitionId);
    if (!includeResolved) query = query.where('resolved_at', 'is', null);
    const rows = await query.orderBy('due_date').orderBy('created_at').execute();
    return rows.map((r) => ({
      id: r.id,
      recordId: r.record_id,
      field: r.field,
      dueDate: r.due_date,
      contact: r.contact,
      note: r.note,
      createdBy: r.created_by,
      createdAt: r.created_at,
      resolvedAt: r.resolved_at,
    }));
  }
}
