import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, InterviewCallTable } from '../db/schema.js';
import { AppError } from '../errors.js';

/** A call of the interview: who from staff spoke with whom at the customer, when, and the notes. */
export interface InterviewCall {
  id: string;
  acquisitionId: string;
  /** The customer's contact on the call. */
  contact: string;
  /** Who from staff made the call. */
  staff: string;
  startedAt: string;
  endedAt: string | null;
  notes: string | null;
}

export const callErrors = {
  notFound: (id: string) =>
    new AppError('call.not-found', 404, `This acquisition has no interview call "${id}".`),
  ended: (id: string) =>
    new AppError(
      'call.ended',
      409,
      `The interview call "${id}" has ended; start a new call to record answers from it.`,
    ),
} as const;

const toCall = (r: InterviewCallTable): InterviewCall => ({
  id: r.id,
  acquisitionId: r.acquisition_id,
  contact: r.contact,
  staff: r.staff,
  startedAt: r.started_at,
  endedAt: r.ended_at,
  notes: r.notes,
});

/** The history's source detail of an answer given during a call: "call <id> with <contact>". */
export function callDetail(call: Pick<InterviewCall, 'id' | 'contact'>): string {
  return `call ${call.id} with ${call.contact}`;
}

/** Interview calls of acquisitions: start, notes, end, list. */
export class CallRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async start(
    acquisitionId: string,
    contact: string,
    staff: string,
    at: string,
    notes?: string,
  ): Promise<InterviewCall> {
    const row: InterviewCallTable = {
      id: randomUUID(),
      acquisition_id: acquisitionId,
      contact,
      staff,
      started_at: at,
      ended_at: null,
      notes: notes ?? null,
    };
    await this.db.insertInto('interview_calls').values(row).execute();
    return toCall(row);
  }

  /** The call, or `call.not-found` when it is not one of this acquisition's. */
  async get(acquisitionId: string, id: string): Promise<InterviewCall> {
    const row = await this.db
      .selectFrom('interview_calls')
      .selectAll()
      .where('acquisition_id', '=', acquisitionId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw callErrors.notFound(id);
    return toCall(row);
  }

  /** A call that is still going on, for answers to carry. */
  async open(acquisitionId: string, id: string): Promise<InterviewCall> {
    const call = await this.get(acquisitionId, id);
    if (call.endedAt) throw callErrors.ended(id);
    return call;
  }

  /** Replaces the notes and, when `end` is given, ends the call at that time (once). */
  async update(
    acquisitionId: string,
    id: string,
    change: { notes?: string; end?: string },
  ): Promise<InterviewCall> {
    const call = await this.get(acquisitionId, id);
    const set: Partial<InterviewCallTable> = {};
    if (change.notes !== undefined) set.notes = change.notes;
    if (change.end !== undefined && !call.endedAt) set.ended_at = change.end;
    if (Object.keys(set).length === 0) return call;
    await this.db
      .updateTable('interview_calls')
      .set(set)
      .where('acquisition_id', '=', acquisitionId)
      .where('id', '=', id)
      .execute();
    return {
      ...call,
      ...(set.notes !== undefined ? { notes: set.notes } : {}),
      ...(set.ended_at ? { endedAt: set.ended_at } : {}),
    };
  }

  /** An acquisition's calls, the latest first. */
  async list(acquisitionId: string): Promise<InterviewCall[]> {
    const rows = await this.db
      .selectFrom('interview_calls')
      .selectAll()
      .where('acquisition_id', '=', acquisitionId)
      .orderBy('started_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(toCall);
  }
}
