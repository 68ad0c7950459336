/** A captured record as the capture engine works with it. */
export interface CapturedRecord {
  id: string;
  entity: string;
  /** The plan slot it fills (`user/12#3`), or null for an extra record. */
  slot: string | null;
  /** The proposal site it belongs to, when known. */
  site: string | null;
  values: Record<string, unknown>;
}

export type Severity = 'blocking' | 'warning';

/** Rules that mean the field's own value is unusable (as opposed to a clash with another record). */
export const FIELD_RULES = new Set([
  'type',
  'format',
  'enum',
  'length',
  'pattern',
  'range',
  'items',
]);

/** A validation result, located on a record and field, in words the customer understands. */
export interface Finding {
  recordId: string;
  entity: string;
  /** The field, or '' for the record as a whole. */
  field: string;
  rule: string;
  severity: Severity;
  message: string;
  /** Other records involved (the other holders of a duplicate). */
  related?: string[];
}

/** A key of a record in an index: for uniqueness, memberships, references and reference targets. */
export interface RecordKey {
  kind: string;
  value: string;
  /** Where the key must be unique or is looked up: an acquisition id, `<acquisition>@<site>` or `global`. */
  scope: string;
}

/** Where values come from. */
export const SOURCES = ['proposal', 'portal', 'interview', 'import', 'api'] as const;
export type Source = (typeof SOURCES)[number];

/** Provenance of one field's value. */
export interface Provenance {
  source: Source;
  /** The token name, the file and row, or the proposal part. */
  detail?: string;
  actor: string;
  at: string;
}
