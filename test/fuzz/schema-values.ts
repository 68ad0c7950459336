import fc from 'fast-check';
import { badValue, RawJson } from './bad-input.js';
import type { JsonSchema } from './openapi-operations.js';

/** How values for a schema are drawn: strings the server knows, and how often to break a value. */
export interface ValueSources {
  /** Ids, entity and field names of the fuzzed acquisition, mixed with bad strings. */
  text: fc.Arbitrary<string>;
  /** One in `breakOneIn` values (at every level) is replaced by a value of the wrong kind. */
  breakOneIn: number;
}

const DEPTH_LIMIT = 4;

/**
 * Values shaped like `schema` (its properties, required keys, enums, ranges), with any part
 * replaced now and then by a value of the wrong kind, so requests get past the outer checks and
 * reach the handler with something wrong inside.
 */
export function shapedValue(
  schema: JsonSchema,
  sources: ValueSources,
  depth = 0,
): fc.Arbitrary<unknown> {
  const shaped = shapeOf(schema, sources, depth);
  return fc.oneof(
    { weight: sources.breakOneIn - 1, arbitrary: shaped },
    { weight: 1, arbitrary: badValue },
  );
}

function shapeOf(schema: JsonSchema, sources: ValueSources, depth: number): fc.Arbitrary<unknown> {
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants && variants.length > 0)
    return fc.oneof(...variants.map((v) => shapeOf(v, sources, depth)));
  if (schema.enum && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object':
      return objectOf(schema, sources, depth);
    case 'array':
      return fc.array(shapedValue(schema.items ?? {}, sources, depth + 1), {
        minLength: Math.min(schema.minItems ?? 0, 3),
        maxLength: 3,
      });
    case 'string':
      return stringOf(schema, sources);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -10, max: schema.maximum ?? 1000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case undefined:
    default:
      // Any value (`{}`): a field's value in a record, an answer.
      return depth >= DEPTH_LIMIT ? sources.text : anyValue(sources, depth);
  }
}

function objectOf(schema: JsonSchema, sources: ValueSources, depth: number) {
  if (depth >= DEPTH_LIMIT) return fc.constant({});
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const known = fc.record(
    Object.fromEntries(
      Object.entries(properties).map(([k, v]) => [k, shapedValue(v, sources, depth + 1)]),
    ),
    { requiredKeys: Object.keys(properties).filter((k) => required.has(k)) },
  );
  const extra = schema.additionalProperties;
  if (extra === false || extra === undefined) return known;
  const more = fc.dictionary(
    sources.text,
    shapedValue(extra === true ? {} : extra, sources, depth + 1),
    { maxKeys: 4 },
  );
  return fc.tuple(known, more).map(([a, b]) => ({ ...b, ...a }));
}

function stringOf(schema: JsonSchema, sources: ValueSources): fc.Arbitrary<string> {
  const formatted =
    schema.format === 'date'
      ? fc
          .date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString().slice(0, 10))
      : schema.format === 'email'
        ? fc.emailAddress()
        : fc.string({ maxLength: Math.min(schema.maxLength ?? 40, 40) });
  return fc.oneof(sources.text, formatted);
}

/** A field value of any kind, as a person might type or paste it. */
function anyValue(sources: ValueSources, depth: number): fc.Arbitrary<unknown> {
  return fc.oneof(
    sources.text,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(sources.text, { maxLength: 3 }),
    fc.dictionary(sources.text, shapeOf({}, sources, depth + 1), { maxKeys: 3 }),
  );
}

/**
 * JSON text of a value; `RawJson` parts are spliced in as written (a nesting too deep for
 * `JSON.stringify`). Lone surrogates leave as `\ud800` escapes, as `JSON.stringify` writes them.
 */
export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}
