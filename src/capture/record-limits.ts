import type { AcquisitionContext } from './acquisition-context.js';

/**
 * The most records of an entity the acquisition's plan allows: the sum of its slot groups'
 * maximum (the catalogue cardinality's `max`, or the count it derives from the proposal). The same
 * figure as the plan's `max`, above which it reports `count.above`; 0 for an entity the plan does
 * not need, and `Infinity` when a group is unbounded.
 */
export function entityMaximum(ctx: AcquisitionContext, entity: string): number {
  let total = 0;
  for (const f of ctx.groupsByEntity.get(entity) ?? []) {
    if (f.group.max === null) return Infinity;
    total += f.group.max;
  }
  return total;
}

/** Records Intake keeps above the plan at least, before it refuses more. */
export const ABOVE_PLAN_ALLOWANCE = 10;

/**
 * The most records of an entity Intake keeps: the plan's maximum and as many again (at least
 * `ABOVE_PLAN_ALLOWANCE` more). Records above the plan are kept, with a blocking finding, so a
 * customer's sheet with a sixth London user on a quote of five loses nothing and is sorted out in
 * review; the ceiling still bounds what a crafted file or call can add. 0 stays 0: an entity the
 * plan does not need takes no records at all.
 */
export function entityCeiling(ctx: AcquisitionContext, entity: string): number {
  const maximum = entityMaximum(ctx, entity);
  return maximum === 0 ? 0 : maximum + Math.max(ABOVE_PLAN_ALLOWANCE, maximum);
}

/** An entity a write would take past the records Intake keeps of it. */
export interface CountExcess {
  entity: string;
  /** The plan's maximum. */
  planned: number;
  /** The most records kept (`entityCeiling`). */
  maximum: number;
  /** How many records there would be after the write. */
  count: number;
}

/**
 * The entities a write would take past their ceiling, given how many records each has now
 * and how many the write adds and removes. An entity the write does not add to is never refused,
 * so an acquisition already above its maximum can still be edited and trimmed.
 */
export function countExcesses(
  ctx: AcquisitionContext,
  current: ReadonlyMap<string, number>,
  added: ReadonlyMap<string, number>,
  removed: ReadonlyMap<string, number>,
): CountExcess[] {
  const out: CountExcess[] = [];
  for (const [entity, n] of added) {
    if (n <= 0) continue;
    const maximum = entityCeiling(ctx, entity);
    const count = (current.get(entity) ?? 0) + n - (removed.get(entity) ?? 0);
    if (count > maximum) out.push({ entity, planned: entityMaximum(ctx, entity), maximum, count });
  }
  return out;
}
