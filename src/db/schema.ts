import type { Generated } from 'kysely';

/** Tables as Kysely sees them. JSON is stored as text and timestamps as ISO-8601 text on both dialects. */
export interface Database {
  api_tokens: ApiTokenTable;
  catalog_versions: CatalogVersionTable;
  acquisitions: AcquisitionTable;
  records: RecordTable;
  findings: FindingTable;
  record_keys: RecordKeyTable;
  record_history: RecordHistoryTable;
  outbox_events: OutboxEventTable;
  follow_ups: FollowUpTable;
  access_links: AccessLinkTable;
  imports: ImportTable;
  import_findings: ImportFindingTable;
  subscriptions: SubscriptionTable;
  deliveries: DeliveryTable;
  tmf_resources: TmfResourceTable;
  secret_reveals: SecretRevealTable;
  reminders: ReminderTable;
  interview_calls: InterviewCallTable;
  attachments: AttachmentTable;
  rate_counters: RateCounterTable;
  secret_key_check: SecretKeyCheckTable;
  staging_undo: StagingUndoTable;
}

/**
 * The rows an import staged on SQLite changed, as they were, while it is applied a chunk at a
 * time (src/db/staged-apply.ts); put back at the next start if the process stopped before the end.
 */
export interface StagingUndoTable {
  area: string;
  acquisition_id: string;
  /** `record` (updated or deleted), `created`, `key-removed`, `key-added`, `finding`, or `committed`. */
  part: string;
  /** The row as JSON (the record id alone, for `created`). */
  row: string;
}

/** The id of the secret key every node on the database must use (src/secrets/shared-key.ts). */
export interface SecretKeyCheckTable {
  name: string;
  /** The key's id: a keyed hash of a constant under the key, never the key. */
  key_id: string;
  stored_at: string;
}

/** A reminder sent by email: one per kind and subject (a link, a follow-up). */
export interface ReminderTable {
  id: string;
  kind: 'unused-link' | 'follow-up';
  subject_id: string;
  acquisition_id: string;
  sent_at: string;
}

/** A call of the interview: staff, the customer's contact, when, and its notes. */
export interface InterviewCallTable {
  id: string;
  acquisition_id: string;
  contact: string;
  staff: string;
  started_at: string;
  ended_at: string | null;
  notes: string | null;
}

/** A file given as an answer (its bytes are under the data folder's attachments/). */
export interface AttachmentTable {
  /** `att_` and a UUID; the value of the record's `format: file` field. */
  id: string;
  acquisition_id: string;
  record_id: string;
  entity: string;
  field: string;
  /** The name the file was sent with, cleaned of path and control characters. */
  file_name: string;
  /** application/pdf, image/png or image/jpeg, as read from the file's first bytes. */
  content_type: string;
  size: number;
  /** SHA-256 of the bytes, hex. */
  sha256: string;
  /** Who uploaded it: the token's or link's name. */
  created_by: string;
  created_at: string;
}

/** One secret field shown in clear to someone (never the value). */
export interface SecretRevealTable {
  id: string;
  acquisition_id: string;
  entity: string;
  field: string;
  /** The record, or null for an export of every record of the entity. */
  record_id: string | null;
  /** records or export. */
  channel: string;
  actor: string;
  token_id: string;
  at: string;
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
  required_fields: number;
  satisfied_fields: number;
  created_by: string;
  created_at: string;
  updated_at: string;
  /** The version of the acquisition's state, bumped by each lifecycle transition. */
  row_version: Generated<number>;
  /** The sequence number of the acquisition's last outbox event. */
  event_seq: Generated<number>;
  /** Moved by every write to the acquisition's records, findings or totals. */
  data_version: Generated<number>;
  submitted_at: string | null;
  approved_at: string | null;
  approved_by: string | null;
  customer_confirmation: string | null;
  cancelled_at: string | null;
  /** The order system's id of the ProductOrder it accepted. */
  order_id: string | null;
  /** Why the last handover attempt failed, until one succeeds. */
  handover_error: string | null;
}

export interface RecordTable {
  id: string;
  acquisition_id: string;
  entity: string;
  /** The plan slot the record fills (`user/12#3`), or null for an extra record. */
  slot: string | null;
  site: string | null;
  /** JSON: field → value (normalised, or as given when invalid). */
  values: string;
  /** JSON: field → { source, detail, actor, at }. */
  provenance: string;
  /** `valid`, or `draft` while it has blocking findings. */
  status: string;
  required_count: number;
  satisfied_count: number;
  version: number;
  /** Hash of the record's index keys and findings as last validated; a full re-validation rewrites only records whose hash changed. */
  digest: Generated<string>;
  created_at: string;
  updated_at: string;
}

export interface FindingTable {
  record_id: string;
  rule: string;
  /** The field, or '' for a finding on the whole record. */
  field: string;
  acquisition_id: string;
  entity: string;
  severity: string;
  message: string;
  /** JSON: ids of the other records involved (duplicates). */
  related: string | null;
}

/** Keys of records for unique, reference and membership rules; `scope` says where they must be unique. */
export interface RecordKeyTable {
  record_id: string;
  kind: string;
  key_value: string;
  scope: string;
  acquisition_id: string;
}

export interface RecordHistoryTable {
  record_id: string;
  record_version: number;
  seq: number;
  acquisition_id: string;
  entity: string;
  field: string;
  old_value: string | null;
  new_value: string | null;
  source: string;
  source_detail: string | null;
  actor: string;
  note: string | null;
  at: string;
}

export interface OutboxEventTable {
  id: string;
  aggregate_type: string;
  aggregate_id: string;
  sequence: number;
  event_type: string;
  payload: string;
  created_at: string;
  /** When the relay fanned the event out to the subscriptions; null until then. */
  dispatched_at: string | null;
}

export interface FollowUpTable {
  id: string;
  acquisition_id: string;
  record_id: string;
  field: string;
  due_date: string;
  contact: string;
  note: string | null;
  created_by: string;
  created_at: string;
  resolved_at: string | null;
}

export interface AccessLinkTable {
  id: string;
  acquisition_id: string;
  contact_name: string;
  contact_email: string | null;
  token_hash: string;
  created_by: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  /** When the customer submitted their part through this link. */
  submitted_at: string | null;
  /** When the link was first used (its reminder goes only to links never used). */
  first_used_at: string | null;
  /** When the link was sent by email at issue. */
  emailed_at: string | null;
}

export interface ImportTable {
  id: string;
  acquisition_id: string;
  idempotency_key: string | null;
  request_hash: string;
  file_name: string;
  format: string;
  mode: string;
  match_mode: string;
  status: string;
  applied: number;
  /** JSON: each sheet's entity, header row and column mapping. */
  sheets: string;
  rows_read: number;
  created: number;
  updated: number;
  unchanged: number;
  invalid: number;
  /** JSON problem when the import failed. */
  error: string | null;
  actor: string;
  created_at: string;
  finished_at: string | null;
  /** When the retention sweep deleted the import's files (its report); null while they are kept. */
  files_removed_at: string | null;
  /** The staff token or customer link that started the import; null before it was recorded. */
  created_by: string | null;
  /** While running on PostgreSQL: when its node last renewed the lease (import-lease.ts). */
  heartbeat_at: string | null;
  /** Which run of the job is the latest: 1, then one more per take-over (import-takeover.ts). */
  attempts: Generated<number>;
  /** The node running (or that last ran) the job: its host name and process id. */
  node: string | null;
  /** JSON: the request's entity, mapping and audience, to run it again; null for older jobs. */
  options: string | null;
}

export interface ImportFindingTable {
  import_id: string;
  seq: number;
  /** The entity the finding is on ('' for a finding on the whole row or column). */
  entity: string;
  sheet: string;
  row_number: number;
  column_letter: string;
  header: string;
  value: string;
  field: string;
  rule: string;
  severity: string;
  message: string;
}

export interface SubscriptionTable {
  id: string;
  /** The hub it was made on: customerManagement, party or intake. */
  api: string;
  callback: string;
  query: string | null;
  /** The HMAC key deliveries are signed with (shown once, at creation). */
  secret: string;
  created_by: string;
  created_at: string;
  deleted_at: string | null;
}

export interface DeliveryTable {
  id: string;
  subscription_id: string;
  event_id: string;
  aggregate_id: string;
  sequence: number;
  event_type: string;
  /** pending, delivered or dead. */
  status: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

export interface TmfResourceTable {
  id: string;
  /** Customer, Organization or Individual. */
  resource_type: string;
  /** The acquisition it was made from, if any. */
  acquisition_id: string | null;
  name: string | null;
  /** The TMF document without id and href (JSON). */
  body: string;
  /** Creation order, for listing. */
  position: number;
  /** The sequence of the resource's last event (its create event is 1). */
  version: number;
  created_at: string;
  updated_at: string;
}

/** A throttling counter shared by the nodes: its count, and when its window ends (ms since the epoch). */
export interface RateCounterTable {
  key: string;
  count: number;
  window_ends: number | string;
}
