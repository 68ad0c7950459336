import { Type, type Static } from 'typebox';

const Address = Type.Object(
  {
    streetNr: Type.Optional(Type.String({ maxLength: 20 })),
    streetName: Type.Optional(Type.String({ maxLength: 160 })),
    line2: Type.Optional(Type.String({ maxLength: 160 })),
    city: Type.Optional(Type.String({ maxLength: 80 })),
    stateOrProvince: Type.Optional(Type.String({ maxLength: 80 })),
    postcode: Type.Optional(Type.String({ maxLength: 20 })),
    country: Type.Optional(
      Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' }),
    ),
    building: Type.Optional(Type.String({ maxLength: 80 })),
    floor: Type.Optional(Type.String({ maxLength: 20 })),
    suite: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);

/** The native proposal format (documented in the README); TMF648 quotes are the other form. */
export const NativeProposalSchema = Type.Object(
  {
    reference: Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'The proposal id in the sales system.',
    }),
    status: Type.String({ description: 'Must be "agreed" for an acquisition to open.' }),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    agreedAt: Type.Optional(Type.String({ format: 'date-time' })),
    customer: Type.Object(
      {
        id: Type.Optional(Type.String({ maxLength: 100 })),
        name: Type.String({ minLength: 1, maxLength: 200 }),
        attributes: Type.Optional(Type.Record(Type.String(), Type.String())),
      },
      { additionalProperties: false },
    ),
    contacts: Type.Optional(
      Type.Array(
        Type.Object(
          {
            role: Type.String({ minLength: 1, maxLength: 40 }),
            name: Type.Optional(Type.String({ maxLength: 80 })),
            email: Type.Optional(Type.String({ maxLength: 254 })),
            phone: Type.Optional(Type.String({ maxLength: 32 })),
            title: Type.Optional(Type.String({ maxLength: 80 })),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    sites: Type.Array(
      Type.Object(
        {
          id: Type.String({ minLength: 1, maxLength: 100 }),
          name: Type.String({ minLength: 1, maxLength: 120 }),
          address: Type.Optional(Address),
        },
        { additionalProperties: false },
      ),
      { maxItems: 10000 },
    ),
    items: Type.Array(
      Type.Object(
        {
          id: Type.String({ minLength: 1, maxLength: 100 }),
          productSpecification: Type.String({ minLength: 1 }),
          quantity: Type.Integer({ minimum: 1, maximum: 1000000 }),
          sites: Type.Optional(Type.Array(Type.String())),
          characteristics: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 10000 },
    ),
  },
  { additionalProperties: false },
);

export type NativeProposal = Static<typeof NativeProposalSchema>;
