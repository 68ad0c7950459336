import { Type, type Static } from 'typebox';
import { OWNERS } from '../catalog/model.js';

const Owner = Type.Enum([...OWNERS]);
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

/** JSON Schema of `Plan` (plan.ts) for the API document and response serialisation. */
export const PlanSchema = Type.Object(
  {
    catalogVersion: Type.String(),
    completeness: Type.Number({
      minimum: 0,
      maximum: 1,
      description: 'Share of required fields satisfied.',
    }),
    requiredFields: Type.Integer(),
    satisfiedFields: Type.Integer(),
    expectedRecords: Type.Integer(),
    presentRecords: Type.Integer(),
    entities: Type.Array(
      Type.Object({
        entity: Type.String(),
        name: Type.String(),
        expected: Type.Integer({ description: 'Records the proposal requires.' }),
        max: Nullable(Type.Integer()),
        present: Type.Integer({ description: 'Records captured.' }),
        complete: Type.Integer({ description: 'Records whose required fields are all satisfied.' }),
        requiredFields: Type.Integer(),
        satisfiedFields: Type.Integer(),
        completeness: Type.Number(),
        sites: Type.Array(
          Type.Object({
            site: Nullable(Type.String()),
            expected: Type.Integer(),
            present: Type.Integer(),
            complete: Type.Integer(),
            max: Type.Optional(
              Type.Integer({
                description:
                  'The most records the quote allows at the site, when every group of the entity belongs to a site (seats per site).',
              }),
            ),
          }),
        ),
        missing: Type.Array(
          Type.Object({
            field: Type.String(),
            label: Type.String(),
            owner: Owner,
            question: Type.String(),
            count: Type.Integer(),
          }),
        ),
        prefilled: Type.Array(Type.Object({ field: Type.String(), count: Type.Integer() })),
      }),
    ),
    owners: Type.Array(
      Type.Object({
        owner: Owner,
        requiredFields: Type.Integer(),
        satisfiedFields: Type.Integer(),
        missingFields: Type.Integer(),
        completeness: Type.Number(),
      }),
    ),
    sites: Type.Array(
      Type.Object({
        site: Type.String(),
        name: Type.String(),
        requiredFields: Type.Integer(),
        satisfiedFields: Type.Integer(),
        completeness: Type.Number(),
      }),
    ),
  },
  { $id: 'Plan' },
);
/** The plan as the API answers it. */
export type PlanAnswer = Static<typeof PlanSchema>;

export const PlanSlotSchema = Type.Object({
  id: Type.String({ description: 'Stable identifier of the expected record.' }),
  entity: Type.String(),
  site: Nullable(Type.String()),
  recordId: Nullable(Type.String()),
  required: Type.Array(Type.String()),
  missing: Type.Array(Type.String()),
  prefilled: Type.Record(Type.String(), Type.Unknown()),
});
