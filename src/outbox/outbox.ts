import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { bulkInsert } from '../db/bulk.js';
import type { Database } from '../db/schema.js';

/** An event to deliver later; written in the same transaction as the change it describes. */
export interface OutboxEvent {
  aggregateType: 'record' | 'acquisition' | 'party';
  aggregateId: string;
  /** Order of events of one aggregate (its version). */
  sequence: number;
  eventType: string;
  payload: Record<string, unknown>;
}

/** Appends events to the outbox, and returns their ids. Call it with the transaction that makes the change. */
export async function appendEvents(
  db: Kysely<Database>,
  events: readonly OutboxEvent[],
  now: Date,
): Promise<string[]> {
  if (events.length === 0) return [];
  const at = now.toISOString();
  const ids = events.map(() => randomUUID());
  await bulkInsert(
    db,
    'outbox_events',
    ['id', 'aggregate_type', 'aggregate_id', 'sequence', 'event_type', 'payload', 'created_at'],
    events.map((e, i) => [
      ids[i]!,
      e.aggregateType,
      e.aggregateId,
      e.sequence,
      e.eventType,
      JSON.stringify(e.payload),
      at,
    ]),
  );
  return ids;
}
