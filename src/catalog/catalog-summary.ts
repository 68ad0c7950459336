import type { Catalog } from './model.js';

/** The catalogue at a glance: its version, each file's version, the products and the entities. */
export interface CatalogSummary {
  version: string;
  files: Record<string, string>;
  products: {
    id: string;
    name: string;
    version: string;
    features: string[];
    needs: { entity: string; cardinality: unknown }[];
  }[];
  entities: { id: string; name: string; fields: number }[];
}

/** Summarises a catalogue: what each product specification needs, and each entity's size. */
export function summarizeCatalog(catalog: Catalog): CatalogSummary {
  return {
    version: catalog.versionId,
    files: catalog.fileVersions,
    products: [...catalog.products.values()].map((p) => ({
      id: p.id,
      name: p.name,
      version: p.version,
      features: p.features ?? [],
      needs: (p.needs ?? []).map((n) => ({ entity: n.entity, cardinality: n.cardinality })),
    })),
    entities: [...catalog.entities.values()].map((e) => ({
      id: e.id,
      name: e.name,
      fields: e.fields.length,
    })),
  };
}
