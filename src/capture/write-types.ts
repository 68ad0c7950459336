import type { StoredRecord } from './capture-repository.js';
import type { PreparedRecord } from './prepared-record.js';
import type { Finding, Source } from './record.js';

/** Who writes, through which channel. */
export interface Origin {
  source: Source;
  actor: string;
  /** The token name, the file and row, the proposal part. */
  detail?: string;
  /** The detail of operation `i`, when it differs per operation (an import's file and row). */
  detailOf?: (index: number) => string;
  /** A note for the history (interview answers). */
  note?: string;
  /** A customer link: only customer-owned fields may be written. */
  customerOnly?: boolean;
  /** Leave an update that changes nothing unwritten (no new version, history or event). */
  skipUnchanged?: boolean;
  /**
   * Append no event per record: the caller appends one for the whole write (a spreadsheet import's
   * `recordsImportedEvent`). Interactive writes leave it unset.
   */
  skipRecordEvents?: boolean;
  /** Where the values of operation `i` sit in the request, for error pointers (default: the body itself). */
  valuesPointer?: (index: number) => string;
}

/** Creates a record of an entity. */
export interface CreateOp {
  op: 'create';
  entity: string;
  values: Record<string, unknown>;
  site?: string | null;
  /** The new record's id, when the caller must know it before the write (imports); else random. */
  id?: string;
}

/** Changes fields of a record (a JSON merge patch: null removes a value). */
export interface UpdateOp {
  op: 'update';
  id: string;
  patch: Record<string, unknown>;
  ifVersion?: number;
}

/** Deletes a record. */
export interface DeleteOp {
  op: 'delete';
  id: string;
  ifVersion?: number;
}

/** One operation of a write. */
export type WriteOp = CreateOp | UpdateOp | DeleteOp;

export interface WriteResult {
  records: StoredRecord[];
  deleted: string[];
  /** Records an update left as they were (with `skipUnchanged`). */
  unchanged: string[];
  /** Findings of the records written. */
  findings: Finding[];
}

/** A record the write creates: it has no `before`. */
export interface PlannedCreate {
  kind: 'create';
  index: number;
  after: StoredRecord;
  prepared: PreparedRecord;
}

/** A record the write changes. */
export interface PlannedUpdate {
  kind: 'update';
  index: number;
  before: StoredRecord;
  after: StoredRecord;
  prepared: PreparedRecord;
}

/** A record the write deletes: it has no `after`. */
export interface PlannedDelete {
  kind: 'delete';
  index: number;
  before: StoredRecord;
}

/** An update that changes nothing, left unwritten (see `Origin.skipUnchanged`). */
export interface PlannedUnchanged {
  kind: 'unchanged';
  index: number;
  before: StoredRecord;
}

/** One operation of a write, with the record as it was and as it will be. */
export type Planned = PlannedCreate | PlannedUpdate | PlannedDelete | PlannedUnchanged;

/** An operation that writes something (an unchanged update does not). */
export type PlannedChange = PlannedCreate | PlannedUpdate | PlannedDelete;

/** An operation that leaves a record stored (a create or an update). */
export type PlannedWrite = PlannedCreate | PlannedUpdate;

/** The record an operation is about: as it will be, or as it was for a delete. */
export function subjectOf(p: Planned): StoredRecord {
  return p.kind === 'create' || p.kind === 'update' ? p.after : p.before;
}

/** Whether the operation leaves a record stored. */
export function isWrite(p: Planned): p is PlannedWrite {
  return p.kind === 'create' || p.kind === 'update';
}

/** Whether the operation had a record before it. */
export function hasBefore(p: Planned): p is PlannedUpdate | PlannedDelete | PlannedUnchanged {
  return p.kind !== 'create';
}
