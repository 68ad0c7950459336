import type { FieldSpec, ItemSchema } from '../catalog/model.js';
import { isCanonicalFormat, normalizeFormat } from './formats.js';

/** A problem with one field's value, before any cross-record rule. */
export interface FieldProblem {
  rule: 'type' | 'format' | 'enum' | 'length' | 'pattern' | 'range' | 'items';
  message: string;
}

/** The value to store and, when it is not acceptable, why. An invalid value is kept as given. */
export interface NormalisedField {
  value: unknown;
  problem?: FieldProblem;
}

/** What normalisation needs from around the field: the country national numbers are read in. */
export interface FieldContext {
  country?: string;
}

const patterns = new Map<string, RegExp>();
/** Catalogue patterns, compiled once. */
function patternOf(source: string): RegExp {
  let pattern = patterns.get(source);
  if (!pattern) {
    pattern = new RegExp(source, 'u');
    patterns.set(source, pattern);
  }
  return pattern;
}

const TRUE = new Set(['true', 'yes', 'y', '1', 'on']);
const FALSE = new Set(['false', 'no', 'n', '0', 'off']);

const isBlank = (raw: unknown) =>
  raw === undefined ||
  raw === null ||
  (typeof raw === 'string' && raw.trim() === '') ||
  (Array.isArray(raw) && raw.length === 0);

function scalar(spec: ItemSchema | FieldSpec, raw: unknown, ctx: FieldContext): NormalisedField {
  const invalid = (rule: FieldProblem['rule'], message: string): NormalisedField => ({
    value: raw,
    problem: { rule, message },
  });
  switch (spec.type) {
    case 'boolean': {
      if (typeof raw === 'boolean') return { value: raw };
      const text = String(raw).trim().toLowerCase();
      if (TRUE.has(text)) return { value: true };
      if (FALSE.has(text)) return { value: false };
      return invalid('type', 'must be yes or no');
    }
    case 'integer':
    case 'number': {
      const text =
        typeof raw === 'number'
          ? String(raw)
          : typeof raw === 'string'
            ? raw.trim().replace(/[\s,](?=\d{3}\b)/g, '')
            : '';
      const value = text === '' ? NaN : Number(text);
      if (!Number.isFinite(value) || (spec.type === 'integer' && !Number.isInteger(value))) {
        return invalid(
          'type',
          spec.type === 'integer' ? 'must be a whole number' : 'must be a number',
        );
      }
      const { minimum, maximum } = spec as FieldSpec;
      if (minimum !== undefined && value < minimum)
        return invalid('range', `must be at least ${minimum}`);
      if (maximum !== undefined && value > maximum)
        return invalid('range', `must be at most ${maximum}`);
      return { value };
    }
    case 'string': {
      if (typeof raw !== 'string' && typeof raw !== 'number')
        return invalid('type', 'must be text');
      // Numbers become digit strings, so extensions and numbers keep the form they were given.
      let value: string = typeof raw === 'number' ? String(raw) : raw.trim().replace(/\s+/g, ' ');
      if (spec.enum) {
        const match = spec.enum.find((e) => String(e).toLowerCase() === value.toLowerCase());
        if (match === undefined) return invalid('enum', `must be one of: ${spec.enum.join(', ')}`);
        value = String(match);
      }
      if (spec.format) {
        const result = normalizeFormat(spec.format, value, ctx.country);
        if (!result.ok) return invalid('format', result.message);
        value = String(result.value);
      }
      if (spec.minLength !== undefined && value.length < spec.minLength)
        return invalid('length', `must have at least ${spec.minLength} characters`);
      if (spec.maxLength !== undefined && value.length > spec.maxLength)
        return invalid('length', `must have at most ${spec.maxLength} characters`);
      if (spec.pattern && !patternOf(spec.pattern).test(value))
        return invalid('pattern', 'contains characters that are not allowed here');
      return { value };
    }
    case 'array':
      return invalid('type', 'must be a single value');
  }
}

/** Whitespace that normalisation changes: at either end, doubled, or any but a plain space. */
const UNTIDY = /^\s|\s$|\s\s|[^\S ]/;

const spellings = new WeakMap<readonly (string | number)[], Set<string>>();

/** The spellings an enumeration normalises to: each entry that is the first of its case-insensitive kind. */
function enumSpellings(list: readonly (string | number)[]): Set<string> {
  let known = spellings.get(list);
  if (!known) {
    known = new Set();
    const seen = new Set<string>();
    for (const entry of list) {
      const lower = String(entry).toLowerCase();
      if (seen.has(lower)) continue;
      seen.add(lower);
      known.add(String(entry));
    }
    spellings.set(list, known);
  }
  return known;
}

function isNormalText(spec: ItemSchema | FieldSpec, value: string): boolean {
  if (value.length === 0 || UNTIDY.test(value)) return false;
  if (spec.enum && !enumSpellings(spec.enum).has(value)) return false;
  if (spec.format && !isCanonicalFormat(spec.format, value)) return false;
  if (spec.minLength !== undefined && value.length < spec.minLength) return false;
  if (spec.maxLength !== undefined && value.length > spec.maxLength) return false;
  return !spec.pattern || patternOf(spec.pattern).test(value);
}

/**
 * True when `normalizeField(field, value, ctx)` returns `value` as it is and finds no problem, in
 * any context: a value stored in its normal form. It costs a type check and a pattern or two, so
 * that a full re-validation need not normalise again what the engine stored normalised. Where it
 * cannot tell cheaply (phone numbers, postcodes, dates, addresses, blanks) it answers false and
 * the value is normalised as before, so a value written behind the engine's back is still caught.
 */
export function isNormalForm(spec: FieldSpec | ItemSchema, value: unknown): boolean {
  switch (spec.type) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return false;
      if (spec.type === 'integer' && !Number.isInteger(value)) return false;
      const { minimum, maximum } = spec as FieldSpec;
      return (
        (minimum === undefined || value >= minimum) && (maximum === undefined || value <= maximum)
      );
    }
    case 'string':
      return typeof value === 'string' && isNormalText(spec, value);
    case 'array': {
      const { items, minItems, maxItems } = spec;
      if (!items || !Array.isArray(value) || value.length === 0) return false;
      if (minItems !== undefined && value.length < minItems) return false;
      if (maxItems !== undefined && value.length > maxItems) return false;
      return value.every((item) => isNormalForm(items, item));
    }
  }
}

/** The items of a list field as written: an array as it is, text split on commas, semicolons and lines. */
export const listItems = (raw: unknown): unknown[] =>
  Array.isArray(raw)
    ? raw
    : typeof raw === 'string'
      ? raw
          .split(/[,;\n]/)
          .map((s) => s.trim())
          .filter(Boolean)
      : [raw];

/**
 * Normalises one field's raw value and checks it against the field's type, format, enumeration,
 * length and pattern. Blank becomes null (the field is cleared). A value that cannot be accepted is
 * returned as given, with the problem, so that nobody has to type it again.
 *
 * @example
 * normalizeField(macField, 'aa-bb-cc-dd-ee-ff', {}) // { value: 'AA:BB:CC:DD:EE:FF' }
 */
export function normalizeField(
  field: FieldSpec,
  raw: unknown,
  ctx: FieldContext = {},
): NormalisedField {
  if (isBlank(raw)) return { value: null };
  if (field.type !== 'array') return scalar(field, raw, ctx);
  const items = listItems(raw);
  const values: unknown[] = [];
  const problems: string[] = [];
  items.forEach((item, i) => {
    const result = scalar(field.items!, item, ctx);
    values.push(result.value);
    if (result.problem) problems.push(`item ${i + 1} (${String(item)}) ${result.problem.message}`);
  });
  if (problems.length > 0)
    return { value: raw, problem: { rule: 'items', message: problems.join('; ') } };
  if (field.minItems !== undefined && values.length < field.minItems)
    return {
      value: values,
      problem: { rule: 'length', message: `must list at least ${field.minItems}` },
    };
  if (field.maxItems !== undefined && values.length > field.maxItems)
    return {
      value: values,
      problem: { rule: 'length', message: `must list at most ${field.maxItems}` },
    };
  return { value: values };
}
