import { DOMAIN_FORMATS, FIELD_TYPES, OWNERS, SENSITIVITIES } from './model.js';

/**
 * The JSON Schema every catalogue file is validated against on load (see `model.ts` for the types).
 * Unknown keys are refused so that a typo never silently drops a requirement.
 * Conditions get a structural check here and a precise one in `check-catalog.ts`.
 */
const id = { type: 'string', pattern: '^[a-z][a-zA-Z0-9-]*$', maxLength: 64 };
/** A product's id as quotes name it: also TMF620 ids such as `PS-BB-FTTP-01` (from-tmf620.ts). */
const productId = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$', maxLength: 64 };
/** A characteristic's name as quotes carry it: also TMF620 names such as `Access Speed`. */
const characteristicName = {
  type: 'string',
  pattern: '^[^\\u0000-\\u001f\\u007f]+$',
  minLength: 1,
  maxLength: 100,
};
const text = { type: 'string', minLength: 1, maxLength: 2000 };
const scalar = { type: ['string', 'number', 'boolean'] };
/** `entity.field`, as a row group's links name fields. */
const qualified = { type: 'string', pattern: '^[a-z][a-zA-Z0-9-]*\\.[a-z][a-zA-Z0-9-]*$' };
const count = { type: 'integer', minimum: 0, maximum: 100000 };

const kindOf = (kind: string, properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  additionalProperties: false,
  required: ['kind', ...required],
  properties: { kind: { const: kind }, ...properties },
});

const prefillFrom = (from: string, properties: Record<string, unknown>, required: string[]) => ({
  type: 'object',
  additionalProperties: false,
  required: ['from', ...required],
  properties: { from: { const: from }, ...properties },
});

export const catalogMetaSchema = {
  $id: 'https://intake.example/schemas/catalog-file.json',
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'id', 'version', 'name'],
  properties: {
    kind: { enum: ['product', 'shared'] },
    id: productId,
    version: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+$' },
    name: text,
    description: text,
    characteristics: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'type'],
        properties: {
          name: characteristicName,
          type: { enum: ['string', 'integer', 'number', 'boolean', 'array'] },
          enum: { type: 'array', minItems: 1, items: { type: ['string', 'number'] } },
          minimum: { type: 'number' },
          maximum: { type: 'number' },
          required: { type: 'boolean' },
          description: text,
        },
      },
    },
    features: { type: 'array', uniqueItems: true, items: id },
    needs: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['entity', 'cardinality'],
        properties: {
          entity: id,
          when: { $ref: '#/$defs/condition' },
          cardinality: {
            type: 'object',
            required: ['kind'],
            discriminator: { propertyName: 'kind' },
            oneOf: [
              kindOf('perQuantity', { multiplier: { type: 'integer', minimum: 1, maximum: 100 } }),
              kindOf('perSite', { min: count, max: count }),
              kindOf('fixed', { count: { ...count, minimum: 1 } }, ['count']),
              kindOf('range', { min: count, max: { ...count, minimum: 1 } }, ['min', 'max']),
              kindOf(
                'fromCharacteristic',
                { characteristic: characteristicName, max: count, otherwise: { const: 'perSite' } },
                ['characteristic'],
              ),
              kindOf(
                'perValue',
                { field: id, values: { type: 'array', minItems: 1, uniqueItems: true, items: id } },
                ['field', 'values'],
              ),
            ],
          },
        },
      },
    },
    entities: { type: 'array', items: { $ref: '#/$defs/entity' } },
    rowGroups: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name', 'entities'],
        properties: {
          id,
          name: { type: 'string', minLength: 1, maxLength: 31 },
          description: text,
          entities: { type: 'array', minItems: 2, maxItems: 6, uniqueItems: true, items: id },
          links: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['field', 'from'],
              properties: { field: qualified, from: qualified },
            },
          },
        },
      },
    },
  },
  $defs: {
    condition: {
      type: 'object',
      minProperties: 1,
      propertyNames: {
        enum: [
          'field',
          'characteristic',
          'feature',
          'equals',
          'in',
          'present',
          'all',
          'any',
          'not',
        ],
      },
      properties: {
        field: id,
        characteristic: characteristicName,
        feature: id,
        in: { type: 'array', minItems: 1, items: scalar },
        present: { type: 'boolean' },
        all: { type: 'array', minItems: 1, items: { $ref: '#/$defs/condition' } },
        any: { type: 'array', minItems: 1, items: { $ref: '#/$defs/condition' } },
        not: { $ref: '#/$defs/condition' },
      },
    },
    itemSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['type'],
      properties: {
        type: { enum: FIELD_TYPES.filter((t) => t !== 'array') },
        format: { enum: DOMAIN_FORMATS },
        enum: { type: 'array', minItems: 1, items: { type: ['string', 'number'] } },
        pattern: { type: 'string', format: 'regex' },
        minLength: count,
        maxLength: count,
        reference: id,
      },
    },
    field: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'label', 'type', 'owner', 'question'],
      properties: {
        id,
        label: text,
        type: { enum: FIELD_TYPES },
        format: { enum: DOMAIN_FORMATS },
        enum: {
          type: 'array',
          minItems: 1,
          uniqueItems: true,
          items: { type: ['string', 'number'] },
        },
        pattern: { type: 'string', format: 'regex' },
        minLength: count,
        maxLength: count,
        minimum: { type: 'number' },
        maximum: { type: 'number' },
        minItems: count,
        maxItems: count,
        items: { $ref: '#/$defs/itemSchema' },
        countryField: id,
        reference: id,
        required: {
          oneOf: [
            { type: 'boolean' },
            {
              type: 'object',
              additionalProperties: false,
              required: ['when'],
              properties: { when: { $ref: '#/$defs/condition' } },
            },
          ],
        },
        owner: { enum: OWNERS },
        question: text,
        help: text,
        synonyms: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 100 } },
        sensitivity: { enum: SENSITIVITIES },
        reveal: {
          type: 'array',
          uniqueItems: true,
          items: { enum: ['admin', 'sales', 'engineer', 'viewer'] },
        },
        mapping: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_.-]*$' },
        prefill: {
          type: 'object',
          required: ['from'],
          discriminator: { propertyName: 'from' },
          oneOf: [
            prefillFrom('characteristic', { name: characteristicName }, ['name']),
            prefillFrom('item', { path: { enum: ['quantity', 'id'] } }, ['path']),
            prefillFrom('site', { path: { type: 'string', minLength: 1 } }, ['path']),
            prefillFrom('customer', { path: { type: 'string', minLength: 1 } }, ['path']),
            prefillFrom('siteQuantity', { product: productId }, ['product']),
            prefillFrom(
              'contact',
              { path: { enum: ['name', 'email', 'phone', 'title'] }, role: id, roleField: id },
              ['path'],
            ),
          ],
        },
      },
    },
    rule: {
      type: 'object',
      required: ['kind'],
      discriminator: { propertyName: 'kind' },
      oneOf: [
        kindOf(
          'unique',
          {
            fields: { type: 'array', minItems: 1, items: id },
            scope: { enum: ['acquisition', 'site', 'global'] },
            message: text,
          },
          ['fields', 'scope'],
        ),
        kindOf('reference', { field: id, entity: id, message: text }, ['field', 'entity']),
        kindOf(
          'numberInBlock',
          {
            field: id,
            block: {
              type: 'object',
              additionalProperties: false,
              required: ['entity', 'from', 'to'],
              properties: { entity: id, from: id, to: id },
            },
            ports: {
              type: 'object',
              additionalProperties: false,
              required: ['entity', 'field'],
              properties: { entity: id, field: id },
            },
            matchSiteCountry: { type: 'boolean' },
            message: text,
          },
          ['field', 'block'],
        ),
        kindOf('oneMembership', { field: id, message: text }, ['field']),
      ],
    },
    entity: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'name', 'fields'],
      properties: {
        id,
        name: text,
        description: text,
        naturalKey: { type: 'array', minItems: 1, items: id },
        siteField: id,
        fields: { type: 'array', minItems: 1, items: { $ref: '#/$defs/field' } },
        rules: { type: 'array', items: { $ref: '#/$defs/rule' } },
      },
    },
  },
} as const;
