import { customerFields } from '../scope/customer-scope.js';
import type { EntitySpec, FieldSpec } from '../catalog/model.js';

/** Who a sheet is for: a customer sees their own fields, staff every field. */
export type Audience = 'customer' | 'staff';

/** The column that carries Intake's record id, so that a returned sheet updates the same records. */
export const RECORD_ID_HEADER = 'Intake ID';
/** The column an import report adds next to the customer's data. */
export const PROBLEMS_HEADER = 'Problems';

/** The fields an audience fills in, in catalogue order. */
export function sheetFields(entity: EntitySpec, audience: Audience): FieldSpec[] {
  if (audience === 'staff') return entity.fields;
  const mine = customerFields(entity);
  return entity.fields.filter((f) => mine.has(f.id));
}

/** `*` marks a field that is always required, `(*)` one that is required in some cases. */
export function headerOf(field: FieldSpec): string {
  if (field.required === true) return `${field.label} *`;
  if (field.required) return `${field.label} (*)`;
  return field.label;
}

/** The sheet name of an entity: its plural name, within Excel's 31 characters and allowed characters. */
export function sheetNameOf(entity: EntitySpec): string {
  return pluralOf(entity.name)
    .replace(/[[\]:*?/\\]/g, ' ')
    .slice(0, 31);
}

function pluralOf(name: string): string {
  // "Port request (LOA)" → "Port requests (LOA)": the noun before a parenthesis takes the plural.
  const aside = /^(.*\S)(\s*\(.*\))$/.exec(name);
  if (aside) return `${pluralOf(aside[1]!)}${aside[2]}`;
  if (/[^aeiou]y$/i.test(name)) return `${name.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/i.test(name)) return `${name}es`;
  return `${name}s`;
}

/** A value as a cell shows it: lists joined with commas, yes and no for booleans. */
export function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(cellText).join(', ');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/**
 * Neutralises a cell that a spreadsheet program would run as a formula (OWASP CSV injection):
 * text that begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe.
 * Plain numbers, including an E.164 number such as `+441632960123`, cannot run and stay readable.
 */
export function neutralizeFormula(text: string): string {
  if (!/^[=+\-@\t\r]/.test(text)) return text;
  if (/^[+-]?\d+(\.\d+)?$/.test(text)) return text;
  return `'${text}`;
}

/** Undoes `neutralizeFormula` on import, so that a report sent back keeps the customer's text. */
export function restoreFormulaText(text: string): string {
  return /^'[=+\-@\t\r]/.test(text) ? text.slice(1) : text;
}
