import type { EntitySpec } from '../catalog/model.js';
import { countryOfE164 } from './formats.js';
import { describeRange, inRange, rangeEnds } from './phone-ranges.js';
import type { FieldProblem } from './normalize-field.js';
import { asList, keyText, referenceFields, ruleKind, siteOf, uniqueScope } from './record-keys.js';
import type { CapturedRecord, Finding } from './record.js';

/** What cross-record rules need to know about the other records. */
export interface RecordLookups {
  acquisitionId: string;
  /**
   * Ids of the records holding a unique or membership key (those of other acquisitions among
   * them say so through `isForeign`). Only the record's own keys are asked about.
   */
  holders: (kind: string, scope: string, value: string) => readonly string[];
  /** True when a record of the target entity has this handle (a reference value, as keyed). */
  resolves: (target: string, value: string) => boolean;
  /** True when the record belongs to another acquisition (its data must not be disclosed). */
  isForeign: (recordId: string) => boolean;
  /** The captured records of an entity in this acquisition (number blocks). */
  recordsOf: (entity: string) => readonly CapturedRecord[];
  /** The country of the site a reference value names. */
  siteCountry: (site: string) => string | undefined;
  entityName: (entity: string) => string;
  /** Why a reference value names no record, listing the candidates, when the target's records are known. */
  unresolved?: (target: string, value: string) => string | undefined;
}

/** How many other records a finding names as related (the first, in id order). */
export const RELATED_SHOWN = 20;

const digits = (value: unknown) => (typeof value === 'string' ? value.replace(/\D/g, '') : '');

type NumberRule = Extract<NonNullable<EntitySpec['rules']>[number], { kind: 'numberInBlock' }>;
type Range = { from: string; to: string };

type NumberPlan = { blocks: Range[]; ports: Range[] };

/**
 * The number plan of each rule, read once per set of lookups (one write or one re-validation)
 * rather than once per record whose number it checks.
 */
const numberPlans = new WeakMap<RecordLookups, Map<NumberRule, NumberPlan>>();

function numberPlan(rule: NumberRule, lookups: RecordLookups): NumberPlan {
  let plans = numberPlans.get(lookups);
  if (!plans) numberPlans.set(lookups, (plans = new Map<NumberRule, NumberPlan>()));
  let plan = plans.get(rule);
  if (!plan) plans.set(rule, (plan = readNumberPlan(rule, lookups)));
  return plan;
}

/** The acquisition's numbers as a rule sees them: its blocks, and the numbers being ported in. */
function readNumberPlan(rule: NumberRule, lookups: RecordLookups): NumberPlan {
  const blocks = lookups
    .recordsOf(rule.block.entity)
    .map((b) => ({ from: digits(b.values[rule.block.from]), to: digits(b.values[rule.block.to]) }))
    .filter((b) => b.from !== '' && b.to !== '');
  const ports = rule.ports
    ? lookups
        .recordsOf(rule.ports.entity)
        .flatMap((p) => asList(p.values[rule.ports!.field]).map(rangeEnds))
        .filter((r): r is Range => r !== undefined)
    : [];
  return { blocks, ports };
}

/** What a number outside the plan should be, with the ranges there are (a few of them). */
function numberPlanAdvice(
  label: string,
  value: string,
  plan: NumberPlan,
  rule: NumberRule,
): string {
  const list = (ranges: Range[]) =>
    ranges.slice(0, 3).map(describeRange).join(', ') +
    (ranges.length > 3 ? ` and ${ranges.length - 3} more` : '');
  const where = [
    plan.blocks.length > 0 ? `the number blocks (${list(plan.blocks)})` : '',
    plan.ports.length > 0 ? `the numbers being ported in (${list(plan.ports)})` : '',
  ]
    .filter(Boolean)
    .join(' or ');
  const fix = rule.ports
    ? 'use one of those, or add it to the port request if it is one of your current numbers'
    : 'use one of those';
  const advice = `${label} ${value} is not in ${where}: ${fix}.`;
  return rule.message ? `${rule.message} ${advice}` : advice;
}

/**
 * Evaluates a record against the cross-record rules of its entity: uniqueness, memberships,
 * references, numbers inside the customer's blocks and of the site's country.
 */
export function crossRecordFindings(
  entity: EntitySpec,
  record: CapturedRecord,
  problems: ReadonlyMap<string, FieldProblem>,
  lookups: RecordLookups,
): Finding[] {
  const findings: Finding[] = [];
  const valid = (field: string) => record.values[field] !== undefined && !problems.has(field);
  const label = (field: string) => entity.fields.find((f) => f.id === field)?.label ?? field;
  const finding = (
    field: string,
    rule: string,
    message: string,
    related?: string[],
    severity: Finding['severity'] = 'blocking',
  ) =>
    findings.push({
      recordId: record.id,
      entity: entity.id,
      field,
      rule,
      severity,
      message,
      ...(related && related.length > 0 ? { related } : {}),
    });
  const site = siteOf(entity, record);

  for (const rule of entity.rules ?? []) {
    switch (rule.kind) {
      case 'unique': {
        if (!rule.fields.every(valid)) break;
        const value = rule.fields.map((f) => keyText(record.values[f])).join('\u001f');
        const others = lookups
          .holders(
            ruleKind(entity, rule),
            uniqueScope(rule.scope, lookups.acquisitionId, site),
            value,
          )
          .filter((id) => id !== record.id);
        if (others.length === 0) break;
        const local = others.filter((id) => !lookups.isForeign(id));
        const shown = rule.fields.map((f) => String(record.values[f])).join(' / ');
        const where =
          local.length > 0
            ? `another ${lookups.entityName(entity.id).toLowerCase()} in this order`
            : 'another order';
        finding(
          rule.fields[0]!,
          'unique',
          rule.message
            ? `${rule.message} (${label(rule.fields[0]!)} ${shown})`
            : `${rule.fields.map(label).join(' and ')} "${shown}" is also used by ${where}.`,
          local.slice(0, RELATED_SHOWN),
        );
        break;
      }
      case 'oneMembership': {
        if (!valid(rule.field)) break;
        const clashes: string[] = [];
        const related = new Set<string>();
        for (const member of new Set(asList(record.values[rule.field]).map(keyText))) {
          const others = lookups
            .holders(ruleKind(entity, rule), lookups.acquisitionId, member)
            .filter((id) => id !== record.id);
          if (others.length > 0) {
            clashes.push(member);
            others.forEach((id) => related.add(id));
          }
        }
        if (clashes.length > 0) {
          finding(
            rule.field,
            'one-membership',
            `${clashes.join(', ')} ${clashes.length > 1 ? 'are' : 'is'} already in another ${lookups.entityName(entity.id).toLowerCase()}.${rule.message ? ` ${rule.message}` : ''}`,
            [...related].slice(0, RELATED_SHOWN),
          );
        }
        break;
      }
      case 'numberInBlock': {
        if (!valid(rule.field)) break;
        const value = String(record.values[rule.field]);
        const plan = numberPlan(rule, lookups);
        if (plan.blocks.length + plan.ports.length === 0) {
          // Nothing to check against yet: the customer can do nothing about it, so it never blocks.
          finding(
            rule.field,
            'number-plan-pending',
            `Waiting for the number plan: no number block or ported numbers have been captured yet, so ${value} cannot be checked.`,
            undefined,
            'warning',
          );
        } else if (![...plan.blocks, ...plan.ports].some((r) => inRange(digits(value), r))) {
          finding(
            rule.field,
            'number-in-block',
            numberPlanAdvice(label(rule.field), value, plan, rule),
          );
        }
        if (rule.matchSiteCountry && site) {
          const expected = lookups.siteCountry(site);
          const actual = countryOfE164(String(record.values[rule.field]));
          if (expected && actual && expected !== actual) {
            finding(
              rule.field,
              'number-country',
              `${label(rule.field)} ${String(record.values[rule.field])} is a ${actual} number, but the site is in ${expected}.`,
            );
          }
        }
        break;
      }
      case 'reference':
        break; // Checked with the reference fields below.
    }
  }

  for (const { field, target } of referenceFields(entity)) {
    if (!valid(field.id)) continue;
    const missing = [...new Set(asList(record.values[field.id]).map(String))].filter(
      (value) => !lookups.resolves(target, keyText(value)),
    );
    if (missing.length > 0) {
      const name = lookups.entityName(target).toLowerCase();
      const described = missing.map((v) => lookups.unresolved?.(target, v));
      finding(
        field.id,
        'reference',
        described.every((d) => d !== undefined)
          ? described.join(' ')
          : `${missing.map((v) => `"${v}"`).join(', ')} ${missing.length > 1 ? 'do' : 'does'} not match any ${name} in this order.`,
      );
    }
  }
  return findings;
}

/** Findings for values that failed normalisation (type, format, enumeration, length, pattern). */
export function fieldFindings(
  entity: EntitySpec,
  record: CapturedRecord,
  problems: ReadonlyMap<string, FieldProblem>,
): Finding[] {
  return [...problems].map(([field, problem]) => ({
    recordId: record.id,
    entity: entity.id,
    field,
    rule: problem.rule,
    severity: 'blocking' as const,
    message:
      `${entity.fields.find((f) => f.id === field)?.label ?? field} ${problem.message}.`.replace(
        /\.\.$/,
        '.',
      ),
  }));
}
