import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { appendEvents } from '../outbox/outbox.js';
import { AcquisitionRepository } from './acquisition-repository.js';

/** An event as appended: its id and its number in the acquisition's sequence. */
export interface AppendedEvent {
  id: string;
  sequence: number;
}

/**
 * Appends an event about an acquisition to the outbox, numbered next in the acquisition's event
 * sequence. Call it in the transaction that makes the change the event reports.
 */
export async function appendAcquisitionEvent(
  trx: Kysely<Database>,
  acquisitionId: string,
  eventType: string,
  payload: Record<string, unknown>,
  now: Date,
): Promise<AppendedEvent> {
  const sequence = await new AcquisitionRepository(trx).nextEventSequence(acquisitionId);
  const [id] = await appendEvents(
    trx,
    [{ aggregateType: 'acquisition', aggregateId: acquisitionId, sequence, eventType, payload }],
    now,
  );
  return { id: id!, sequence };
}
