import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Catalog, CatalogFile } from './model.js';
import { catalogFromFiles } from './parse-catalog.js';

/**
 * Catalogue snapshots by version id. An acquisition pins the snapshot it opened with, so a
 * catalogue change never alters what an open acquisition requires.
 */
export class CatalogRepository {
  private readonly cache = new Map<string, Catalog>();

  constructor(private readonly db: Kysely<Database>) {}

  /** Stores the snapshot unless it is already stored. */
  async save(catalog: Catalog, now: Date): Promise<void> {
    this.cache.set(catalog.versionId, catalog);
    const existing = await this.db
      .selectFrom('catalog_versions')
      .select('id')
      .where('id', '=', catalog.versionId)
      .executeTakeFirst();
    if (existing) return;
    await this.db
      .insertInto('catalog_versions')
      .values({
        id: catalog.versionId,
        file_versions: JSON.stringify(catalog.fileVersions),
        document: JSON.stringify(catalog.files),
        created_at: now.toISOString(),
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  /** The snapshot with this id, from memory or the database. */
  async get(versionId: string): Promise<Catalog> {
    const cached = this.cache.get(versionId);
    if (cached) return cached;
    const row = await this.db
      .selectFrom('catalog_versions')
      .select('document')
      .where('id', '=', versionId)
      .executeTakeFirstOrThrow();
    const catalog = catalogFromFiles(JSON.parse(row.document) as CatalogFile[]);
    // The stored id is authoritative even if hashing were ever to change.
    const pinned = { ...catalog, versionId };
    this.cache.set(versionId, pinned);
    return pinned;
  }
}
