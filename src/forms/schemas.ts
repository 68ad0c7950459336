import { Type, type Static } from 'typebox';
import type { EntitySpec } from '../catalog/model.js';
import { entitySpecProperties } from '../catalog/schemas.js';

/**
 * The forms API's answer, in TypeBox: the server serialises and documents it with this, and the
 * web application takes its type. Nothing here may import the server's runtime.
 */

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

/** An entity as a form or grid shows it, with its records expected and present (`FormEntity`). */
export const FormEntitySchema = Type.Unsafe<
  EntitySpec & { expected: number; present: number; missing?: number }
>(
  Type.Object(
    {
      ...entitySpecProperties,
      expected: Type.Integer(),
      present: Type.Integer(),
      missing: Type.Optional(
        Type.Integer({ description: "For a customer link: the customer's answers still missing." }),
      ),
    },
    { additionalProperties: true },
  ),
);

export type FormEntity = Static<typeof FormEntitySchema>;

/** A slot group: the quote items its conditions read, and what the proposal fills (`FormGroup`). */
export const FormGroupSchema = Type.Object({
  key: Type.String(),
  entity: Type.String(),
  site: Nullable(Type.String()),
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      productSpecification: Type.String(),
      characteristics: Type.Record(Type.String(), Type.Unknown()),
    }),
  ),
  prefill: Type.Record(Type.String(), Type.Unknown()),
});
export type FormGroup = Static<typeof FormGroupSchema>;

/**
 * What the web application needs to draw and check an acquisition's forms with the server's own
 * rules (`FormContext`); a customer link's adds its contact and when its part was submitted.
 */
export const FormContextSchema = Type.Object({
  acquisition: Type.Object({
    id: Type.String(),
    customerName: Type.String(),
    proposalReference: Type.String(),
    state: Type.String(),
  }),
  scope: Type.Enum(['staff', 'customer']),
  entities: Type.Array(FormEntitySchema),
  groups: Type.Array(FormGroupSchema),
  sites: Type.Array(
    Type.Object({ id: Type.String(), name: Type.String(), country: Nullable(Type.String()) }),
  ),
  fallbackCountry: Nullable(Type.String()),
  progress: Type.Object({
    requiredFields: Type.Integer(),
    satisfiedFields: Type.Integer(),
    completeness: Type.Number(),
  }),
  contactName: Type.Optional(Nullable(Type.String())),
  submittedAt: Type.Optional(Nullable(Type.String())),
});
export type FormContext = Static<typeof FormContextSchema>;
