import { Type, type Static } from 'typebox';
import { FIELD_TYPES, OWNERS } from '../catalog/model.js';
import { FindingSchema, RecordSchema } from '../capture/schemas.js';

/**
 * The interview API's answers, in TypeBox: the server serialises and documents them with these,
 * and the web application takes their types. Nothing here may import the server's runtime.
 */

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);
const Owner = Type.Enum([...OWNERS]);
const FieldType = Type.Enum([...FIELD_TYPES]);
const Choices = Type.Array(Type.Union([Type.String(), Type.Number()]));

/** One question: a required field of a record that is missing or invalid (`Question`). */
export const QuestionSchema = Type.Object({
  recordId: Type.String(),
  recordVersion: Type.Integer(),
  entity: Type.String(),
  entityName: Type.String(),
  site: Nullable(Type.String()),
  siteName: Nullable(Type.String()),
  recordName: Type.String(),
  field: Type.String(),
  label: Type.String(),
  question: Type.String(),
  help: Type.Optional(Type.String()),
  owner: Owner,
  type: FieldType,
  format: Type.Optional(Type.String()),
  enum: Type.Optional(Choices),
  reason: Type.Enum(['missing', 'invalid']),
  currentValue: Type.Optional(Type.Unknown({ description: 'The invalid value as given.' })),
  problem: Type.Optional(Type.String()),
});
export type InterviewQuestion = Static<typeof QuestionSchema>;

/** A page of the next questions. */
export const QuestionPageSchema = Type.Object({
  total: Type.Integer(),
  questions: Type.Array(QuestionSchema),
});

const placeProperties = {
  site: Nullable(Type.String()),
  siteName: Nullable(Type.String()),
  entity: Type.String(),
  entityName: Type.String(),
  title: Type.String({ description: '"London HQ · Users".' }),
};

/** One field asked once for many records of a site and entity (`MatrixStep`). */
export const MatrixStepSchema = Type.Object({
  ...placeProperties,
  kind: Type.Literal('matrix'),
  field: Type.String(),
  label: Type.String(),
  question: Type.String(),
  prompt: Type.String(),
  noun: Type.String(),
  help: Type.Optional(Type.String()),
  owner: Owner,
  type: FieldType,
  format: Type.Optional(Type.String()),
  enum: Type.Optional(Choices),
  records: Type.Array(
    Type.Object({
      recordId: Type.String(),
      recordVersion: Type.Integer(),
      recordName: Type.String(),
      currentValue: Type.Optional(Type.Unknown()),
      problem: Type.Optional(Type.String()),
    }),
  ),
});

export type MatrixStep = Static<typeof MatrixStepSchema>;

/** One field of one record (`SingleStep`). */
export const SingleStepSchema = Type.Object({
  ...placeProperties,
  kind: Type.Literal('single'),
  question: QuestionSchema,
});

export type ScriptStep = Static<typeof MatrixStepSchema> | Static<typeof SingleStepSchema>;

/** A page of the call script. */
export const ScriptSchema = Type.Object({
  total: Type.Integer(),
  questions: Type.Integer(),
  steps: Type.Array(Type.Union([MatrixStepSchema, SingleStepSchema])),
});
export type InterviewScript = Static<typeof ScriptSchema>;

/** A field the customer will provide later, with when and who (`FollowUp`). */
export const FollowUpSchema = Type.Object({
  id: Type.String(),
  recordId: Type.String(),
  field: Type.String(),
  dueDate: Type.String(),
  contact: Type.String(),
  note: Nullable(Type.String()),
  createdBy: Type.String(),
  createdAt: Type.String(),
  resolvedAt: Nullable(Type.String()),
});
export type FollowUp = Static<typeof FollowUpSchema>;

/** The follow-up list. */
export const FollowUpListSchema = Type.Object({ items: Type.Array(FollowUpSchema) });

/**
 * An answered question: the record as stored (its values and version, and the counts the plan
 * keeps) and its findings.
 */
export const AnsweredSchema = Type.Object({
  record: Type.Object(
    {
      id: RecordSchema.properties.id,
      entity: RecordSchema.properties.entity,
      slot: RecordSchema.properties.slot,
      site: RecordSchema.properties.site,
      values: RecordSchema.properties.values,
      status: RecordSchema.properties.status,
      version: RecordSchema.properties.version,
    },
    { additionalProperties: true },
  ),
  findings: Type.Array(FindingSchema),
});
export type Answered = Static<typeof AnsweredSchema>;

/** A question marked to follow up. */
export const FollowUpMadeSchema = Type.Object({ followUp: FollowUpSchema });

/** A matrix question answered: each record's new version, and the findings. */
export const MatrixAnsweredSchema = Type.Object({
  records: Type.Array(Type.Object({ id: Type.String(), version: Type.Integer() })),
  findings: Type.Array(FindingSchema),
});
export type MatrixAnswered = Static<typeof MatrixAnsweredSchema>;

/** A call of the interview: who from staff spoke with whom at the customer, when, the notes. */
export const InterviewCallSchema = Type.Object({
  id: Type.String(),
  acquisitionId: Type.String(),
  contact: Type.String(),
  staff: Type.String(),
  startedAt: Type.String(),
  endedAt: Nullable(Type.String()),
  notes: Nullable(Type.String()),
});
export type InterviewCall = Static<typeof InterviewCallSchema>;

/** The interview calls, the latest first. */
export const InterviewCallListSchema = Type.Object({ items: Type.Array(InterviewCallSchema) });
