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

/** An entity a write would take past its plan maximum. */
export interface CountExcess {
  entity: string;
  maximum: number;
  /** How many records there would be after the write. */
  count: number;
}

/**
 * The entities a write would take past the plan's maximum, given how many records each has now
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
    const maximum = entityMaximum(ctx, entity);
    const count = (current.get(entity) ?? 0) + n - (removed.get(entity) ?? 0);
    if (count > maximum) out.push({ entity, maximum, count });
  }
  return out;
}
