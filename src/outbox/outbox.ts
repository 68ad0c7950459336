import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** An event to deliver later; written in the same transaction as the change it describes. */
export interface OutboxEvent {
  aggregateType: 'record' | 'acquisition';
  aggregateId: string;
  /** Order of events of one aggregate (its version). */
  sequence: number;
  eventType: string;
  payload: Record<string, unknown>;
}

/** Appends events to the outbox. Call it with the transaction that makes the change. */
export async function appendEvents(
  db: Kysely<Database>,
  events: readonly OutboxEvent[],
  now: Date,
): Promise<void> {
  if (events.length === 0) return;
  const at = now.toISOString();
  for (let i = 0; i < events.length; i += 200) {
    await db
      .insertInto('outbox_events')
      .values(
        events.slice(i, i + 200).map((e) => ({
          id: randomUUID(),
          aggregate_type: e.aggregateType,
          aggregate_id: e.aggregateId,
          sequence: e.sequence,
          event_type: e.eventType,
          payload: JSON.stringify(e.payload),
          created_at: at,
        })),
      )
      .execute();
  }
}
