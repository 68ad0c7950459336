import type { Kysely, Selectable } from 'kysely';
import type { AttachmentTable, Database } from '../db/schema.js';

/** A file answer's metadata (its bytes are in the attachment store). */
export interface Attachment {
  id: string;
  acquisitionId: string;
  recordId: string;
  entity: string;
  field: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  createdBy: string;
  createdAt: string;
}

const fromRow = (row: Selectable<AttachmentTable>): Attachment => ({
  id: row.id,
  acquisitionId: row.acquisition_id,
  recordId: row.record_id,
  entity: row.entity,
  field: row.field,
  fileName: row.file_name,
  contentType: row.content_type,
  size: Number(row.size),
  sha256: row.sha256,
  createdBy: row.created_by,
  createdAt: row.created_at,
});

/** The `attachments` table: one row per file received, never updated. */
export class AttachmentRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(a: Attachment): Promise<void> {
    await this.db
      .insertInto('attachments')
      .values({
        id: a.id,
        acquisition_id: a.acquisitionId,
        record_id: a.recordId,
        entity: a.entity,
        field: a.field,
        file_name: a.fileName,
        content_type: a.contentType,
        size: a.size,
        sha256: a.sha256,
        created_by: a.createdBy,
        created_at: a.createdAt,
      })
      .execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('attachments').where('id', '=', id).execute();
  }

  /** One attachment of an acquisition; undefined when it has none with that id. */
  async get(acquisitionId: string, id: string): Promise<Attachment | undefined> {
    const row = await this.db
      .selectFrom('attachments')
      .selectAll()
      .where('acquisition_id', '=', acquisitionId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /** Every attachment of an acquisition, oldest first. */
  async list(acquisitionId: string): Promise<Attachment[]> {
    const rows = await this.db
      .selectFrom('attachments')
      .selectAll()
      .where('acquisition_id', '=', acquisitionId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(fromRow);
  }
}

/**
 * The attachments that records name now, in upload order: a file replaced by a newer upload is
 * kept (history names it) but is not part of the answers any more.
 */
export function attachmentsNamed(
  all: readonly Attachment[],
  records: readonly { values: Record<string, unknown> }[],
): Attachment[] {
  const named = new Set(
    records.flatMap((r) => Object.values(r.values).filter((v) => typeof v === 'string')),
  );
  return all.filter((a) => named.has(a.id));
}
