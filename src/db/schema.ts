import type { Generated } from 'kysely';

/** Tables as Kysely sees them. JSON is stored as text and timestamps as ISO-8601 text on both dialects. */
export interface Database {
  api_tokens: ApiTokenTable;
  catalog_versions: CatalogVersionTable;
  acquisitions: AcquisitionTable;
}

export interface ApiTokenTable {
  id: string;
  name: string;
  role: string;
  /** SHA-256 of the token, hex. The token itself is never stored. */
  token_hash: string;
  created_by: string | null;
  created_at: string;
  revoked_at: string | null;
}

export interface CatalogVersionTable {
  id: string;
  /** JSON: `{ fileId: version }`. */
  file_versions: string;
  /** JSON: the catalogue files as loaded. */
  document: string;
  created_at: string;
}

export interface AcquisitionTable {
  id: string;
  proposal_reference: string;
  proposal_format: string;
  customer_name: string;
  state: string;
  catalog_version_id: string;
  /** JSON: the canonical proposal. */
  proposal: string;
  completeness: number;
  required_fields: number;
  satisfied_fields: number;
  created_by: string;
  created_at: string;
  updated_at: string;
  row_version: Generated<number>;
}
