import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { assertMayFollowUp, assertMayWrite, isCustomer } from '../scope/customer-scope.js';
import type { Principal } from '../access/roles.js';
import { CaptureRepository } from '../capture/capture-repository.js';
import type { CaptureService } from '../capture/capture-service.js';
import { FIELD_RULES } from '../capture/plan-records.js';
import type { Database } from '../db/schema.js';
import { errors, type ProblemDetail } from '../errors.js';
import { callScript, questionsIn, type ScriptStep } from './call-script.js';
import { callDetail, CallRepository, callErrors, type InterviewCall } from './calls.js';
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
  /** The interview call the answer was given in (kept in its history). */
  callId?: string;
}

/**
 * One answer for many records of a matrix question: `value` for every record that has none of
 * its own (the exceptions carry theirs); `version`, when given, must be the record's current one.
 */
export interface MatrixAnswer {
  field: string;
  value?: unknown;
  records: { recordId: string; version?: number; value?: unknown }[];
  note?: string;
  callId?: string;
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
    const all = await this.allQuestions(acquisitionId, query);
    return { total: all.length, questions: all.slice(offset, offset + limit) };
  }

  /**
   * The interview as a call script (see `callScript`): steps grouped by site and entity, a field
   * many records miss asked once. `total` counts steps, `questions` the fields they ask.
   */
  async script(
    acquisitionId: string,
    query: InterviewQuery,
    offset: number,
    limit: number,
  ): Promise<{ total: number; questions: number; steps: ScriptStep[] }> {
    const { catalog } = await this.capture.contexts.get(acquisitionId);
    const steps = callScript(catalog, await this.allQuestions(acquisitionId, query));
    return {
      total: steps.length,
      questions: questionsIn(steps),
      steps: steps.slice(offset, offset + limit),
    };
  }

  private async allQuestions(acquisitionId: string, query: InterviewQuery): Promise<Question[]> {
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
    return nextQuestions(ctx, records, invalid, followed, query);
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
    const detail = await this.callDetailOf(acquisitionId, answer.callId, by);
    const result = await this.capture.write(
      acquisitionId,
      [{ op: 'update', id: answer.recordId, patch: { [answer.field]: answer.value ?? null } }],
      by,
      { source: isCustomer(by) ? 'portal' : 'interview', note: answer.note, detail },
    );
    await this.resolveFollowUps(acquisitionId, [answer.recordId], answer.field);
    return { record: result.records[0]!, findings: result.findings };
  }

  /**
   * A matrix answer: one update per record, all through the capture engine in one transaction
   * (all or nothing, each record's version checked when given), with the call in the history.
   */
  async answerMatrix(acquisitionId: string, answer: MatrixAnswer, by: Principal) {
    const problems: ProblemDetail[] = [];
    const seen = new Set<string>();
    answer.records.forEach((r, i) => {
      if (seen.has(r.recordId))
        problems.push({ pointer: `/records/${i}/recordId`, detail: 'is listed twice' });
      seen.add(r.recordId);
      if (r.value === undefined && answer.value === undefined)
        problems.push({
          pointer: `/records/${i}/value`,
          detail: 'has no value of its own and the answer gives none for all',
        });
    });
    if (problems.length > 0)
      throw errors.invalidRequest('The matrix answer cannot be applied as sent.', problems);
    const detail = await this.callDetailOf(acquisitionId, answer.callId, by);
    const result = await this.capture.write(
      acquisitionId,
      answer.records.map((r) => ({
        op: 'update' as const,
        id: r.recordId,
        patch: { [answer.field]: (r.value === undefined ? answer.value : r.value) ?? null },
        ...(r.version !== undefined ? { ifVersion: r.version } : {}),
      })),
      by,
      {
        source: isCustomer(by) ? 'portal' : 'interview',
        note: answer.note,
        valuesPointer: (i) => `/records/${i}`,
        detail,
      },
    );
    await this.resolveFollowUps(
      acquisitionId,
      answer.records.map((r) => r.recordId),
      answer.field,
    );
    return { records: result.records, findings: result.findings };
  }

  /** The history detail of answers given in a call: staff only, and only while it goes on. */
  private async callDetailOf(
    acquisitionId: string,
    callId: string | undefined,
    by: Principal,
  ): Promise<string | undefined> {
    if (callId === undefined) return undefined;
    if (isCustomer(by)) throw callErrors.notFound(callId);
    return callDetail(await new CallRepository(this.db).open(acquisitionId, callId));
  }

  private async resolveFollowUps(acquisitionId: string, recordIds: string[], field: string) {
    for (let i = 0; i < recordIds.length; i += 500)
      await this.db
        .updateTable('follow_ups')
        .set({ resolved_at: this.now().toISOString() })
        .where('acquisition_id', '=', acquisitionId)
        .where('record_id', 'in', recordIds.slice(i, i + 500))
        .where('field', '=', field)
        .where('resolved_at', 'is', null)
        .execute();
  }

  /** Starts a call with the customer's contact, made by this staff member now. */
  startCall(acquisitionId: string, contact: string, by: Principal, notes?: string) {
    return new CallRepository(this.db).start(
      acquisitionId,
      contact,
      by.name,
      this.now().toISOString(),
      notes,
    );
  }

  /** Saves a call's notes, and ends it when asked. */
  updateCall(
    acquisitionId: string,
    callId: string,
    change: { notes?: string; end?: boolean },
  ): Promise<InterviewCall> {
    return new CallRepository(this.db).update(acquisitionId, callId, {
      ...(change.notes !== undefined ? { notes: change.notes } : {}),
      ...(change.end ? { end: this.now().toISOString() } : {}),
    });
  }

  calls(acquisitionId: string): Promise<InterviewCall[]> {
    return new CallRepository(this.db).list(acquisitionId);
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
