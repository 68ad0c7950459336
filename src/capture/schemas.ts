import { Type, type Static } from 'typebox';
import { SOURCES } from './record.js';

/**
 * The records API's answers, in TypeBox: the server serialises and documents them with these, and
 * the web application takes their types. Nothing here may import the server's runtime.
 */

/** A record's values: field id → value, any field of its entity (an open map). */
export const ValuesSchema = Type.Record(Type.String(), Type.Unknown());

/** A finding as the API answers it: with the JSON pointer to its field. */
export const FindingSchema = Type.Object({
  recordId: Type.String(),
  entity: Type.String(),
  field: Type.String(),
  rule: Type.String(),
  severity: Type.Enum(['blocking', 'warning']),
  message: Type.String(),
  pointer: Type.String(),
  related: Type.Optional(Type.Array(Type.String())),
});
export type ApiFinding = Static<typeof FindingSchema>;

/** Where one field's value came from. */
export const ProvenanceSchema = Type.Object(
  {
    source: Type.Optional(Type.Enum([...SOURCES])),
    detail: Type.Optional(Type.String()),
    actor: Type.Optional(Type.String()),
    at: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

/** A record as the API answers it. */
export const RecordSchema = Type.Object({
  id: Type.String(),
  entity: Type.String(),
  slot: Type.Union([Type.String(), Type.Null()]),
  site: Type.Union([Type.String(), Type.Null()]),
  values: ValuesSchema,
  provenance: Type.Record(Type.String(), ProvenanceSchema),
  status: Type.Enum(['valid', 'draft']),
  version: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  href: Type.String(),
  findings: Type.Array(FindingSchema),
});
export type ApiRecord = Static<typeof RecordSchema>;

/** One page of an entity's records. */
export const RecordPageSchema = Type.Object({
  total: Type.Integer(),
  items: Type.Array(RecordSchema),
});
export type RecordPage = Static<typeof RecordPageSchema>;

/** One change of one field of a record: who, when, through which channel, from what to what. */
export const HistoryEntrySchema = Type.Object({
  recordId: Type.String(),
  recordVersion: Type.Integer(),
  seq: Type.Integer(),
  acquisitionId: Type.String(),
  entity: Type.String(),
  field: Type.String(),
  oldValue: Type.Unknown(),
  newValue: Type.Unknown(),
  source: Type.String(),
  sourceDetail: Type.Optional(Type.String()),
  actor: Type.String(),
  note: Type.Optional(Type.String()),
  at: Type.String(),
});
export type HistoryEntry = Static<typeof HistoryEntrySchema>;

/** A record's history, the latest change first. */
export const HistorySchema = Type.Object({ items: Type.Array(HistoryEntrySchema) });
