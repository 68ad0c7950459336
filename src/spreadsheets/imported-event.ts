import type { Kysely } from 'kysely';
import { appendAcquisitionEvent } from '../acquisitions/acquisition-events.js';
import type { Database } from '../db/schema.js';
import type { ImportCounts, ImportMode } from './import-repository.js';

/** What an import tells the hubs once it is applied; one event per import, not one per row. */
export interface ImportedEvent extends ImportCounts {
  importId: string;
  fileName: string;
  mode: ImportMode;
  /** The entities the import's sheets wrote. */
  entities: string[];
  actor: string;
}

export const RECORDS_IMPORTED_EVENT = 'recordsImportedEvent';

/**
 * Appends `recordsImportedEvent` to the acquisition's events, in the import's transaction: the
 * counts, the entities, and a link to the job (whose report lists every row). Subscribers that
 * need the records themselves read them (`GET …/records?entity=…`); an import no longer appends
 * one `recordCreateEvent` or `recordAttributeValueChangeEvent` per row (see docs/importing.md).
 */
export async function appendImportedEvent(
  trx: Kysely<Database>,
  acquisitionId: string,
  imported: ImportedEvent,
  now: Date,
): Promise<void> {
  await appendAcquisitionEvent(
    trx,
    acquisitionId,
    RECORDS_IMPORTED_EVENT,
    {
      acquisitionId,
      importId: imported.importId,
      href: `/api/v1/acquisitions/${acquisitionId}/imports/${imported.importId}`,
      fileName: imported.fileName,
      mode: imported.mode,
      entities: imported.entities,
      rowsRead: imported.rowsRead,
      created: imported.created,
      updated: imported.updated,
      unchanged: imported.unchanged,
      invalid: imported.invalid,
      source: 'import',
      actor: imported.actor,
    },
    now,
  );
}
