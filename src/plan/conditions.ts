import type { Condition } from '../catalog/model.js';
import type { ProposalItem } from '../proposals/proposal.js';

/** Record field values by field id. */
export type Values = Readonly<Record<string, unknown>>;

/** Reads one field's value of a record. */
export type ValueOf = (field: string) => unknown;

/**
 * A record's values as the rules see them: what was captured, else what the proposal pre-fills.
 * A lookup rather than a merged copy, so that evaluating thousands of records allocates little.
 */
export function layeredValues(captured: Values, prefilled: Values): ValueOf {
  return (field) => {
    const value = captured[field];
    return value !== undefined ? value : prefilled[field];
  };
}

/** True when a value counts as provided: not absent, not an empty string, not an empty list. */
export function isPresent(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.trim().length > 0;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/** The features a quote item selected, from its `features` characteristic. */
export function featuresOf(item: ProposalItem): readonly string[] {
  const features = item.characteristics.features;
  return Array.isArray(features) ? features.filter((f): f is string => typeof f === 'string') : [];
}

function compare(
  actual: unknown,
  test: { equals?: unknown; in?: unknown[]; present?: boolean },
): boolean {
  if (test.present !== undefined) return isPresent(actual) === test.present;
  if (test.in !== undefined) return test.in.some((v) => v === actual);
  if (test.equals !== undefined) return actual === test.equals;
  return isPresent(actual);
}

/**
 * Evaluates a catalogue condition against a record's values and the quote item it serves.
 * A condition on a field that has no value yet is false (unless it asks `present: false`),
 * so a dependent field becomes required only once what it depends on is known.
 *
 * @example
 * evaluateCondition({ field: 'voicemail', equals: true }, (f) => ({ voicemail: true })[f], item) // true
 */
export function evaluateCondition(
  condition: Condition,
  values: ValueOf,
  item: ProposalItem,
): boolean {
  if ('all' in condition) return condition.all.every((c) => evaluateCondition(c, values, item));
  if ('any' in condition) return condition.any.some((c) => evaluateCondition(c, values, item));
  if ('not' in condition) return !evaluateCondition(condition.not, values, item);
  if ('feature' in condition) return featuresOf(item).includes(condition.feature);
  if ('characteristic' in condition) {
    return compare(item.characteristics[condition.characteristic], condition);
  }
  return compare(values(condition.field), condition);
}

/**
 * Evaluates a condition for a record that serves several quote items (a site needed by two
 * products): it holds when it holds for any of them.
 */
export function evaluateForItems(
  condition: Condition,
  values: ValueOf,
  items: readonly ProposalItem[],
): boolean {
  return items.some((item) => evaluateCondition(condition, values, item));
}
