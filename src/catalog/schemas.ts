import { Type, type Static } from 'typebox';
import type { Cardinality, EntitySpec, FieldSpec } from './model.js';
import { FIELD_TYPES, OWNERS } from './model.js';

/**
 * The catalogue API's answers, in TypeBox: the server serialises and documents them with these,
 * and the web application takes their types. Nothing here may import the server's runtime.
 *
 * Entities, fields, rules and cardinalities are the catalogue's own documents, validated in full
 * on load by `catalogMetaSchema` (meta-schema.ts): here they are wrapped, their main properties
 * named and the rest kept open, so that nothing the catalogue holds is lost on the way out.
 */

/** How many records a need asks for (`Cardinality`): a kind and its parameters. */
export const CardinalitySchema = Type.Unsafe<Cardinality>(
  Type.Object({ kind: Type.String() }, { additionalProperties: true }),
);

/** One field of an entity (`FieldSpec`), as the catalogue gives it. */
export const FieldSpecSchema = Type.Unsafe<FieldSpec>(
  Type.Object(
    {
      id: Type.String(),
      label: Type.String(),
      type: Type.Enum([...FIELD_TYPES]),
      owner: Type.Enum([...OWNERS]),
      question: Type.String(),
    },
    { additionalProperties: true },
  ),
);

const entityProperties = {
  id: Type.String(),
  name: Type.String(),
  fields: Type.Array(FieldSpecSchema),
};

/** An entity with its fields, rules and questions (`EntitySpec`). */
export const EntitySpecSchema = Type.Unsafe<EntitySpec>(
  Type.Object(entityProperties, { additionalProperties: true }),
);

/** The open object of an entity, for schemas that add properties to it (forms). */
export const entitySpecProperties = entityProperties;

/** The current catalogue: its version and what each product specification needs. */
export const CatalogSummarySchema = Type.Object({
  version: Type.String(),
  files: Type.Record(Type.String(), Type.String()),
  products: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      version: Type.String(),
      features: Type.Array(Type.String()),
      needs: Type.Array(Type.Object({ entity: Type.String(), cardinality: CardinalitySchema })),
    }),
  ),
  entities: Type.Array(
    Type.Object({ id: Type.String(), name: Type.String(), fields: Type.Integer() }),
  ),
});
export type CatalogSummary = Static<typeof CatalogSummarySchema>;
