import type { Plan } from '../plan/plan.js';
import type { EntityCounts, FormContext } from './form-context.js';

/** Records expected and present by entity, for every entity either names (0 when absent). */
export function entityCounts(
  expected: ReadonlyMap<string, number>,
  present: ReadonlyMap<string, number>,
): Map<string, { expected: number; present: number }> {
  const counts = new Map<string, { expected: number; present: number }>();
  for (const entity of new Set([...expected.keys(), ...present.keys()]))
    counts.set(entity, { expected: expected.get(entity) ?? 0, present: present.get(entity) ?? 0 });
  return counts;
}

/** The counts of a customer's form: each entity's with the customer's missing answers added. */
export function customerCounts(counts: EntityCounts, plan: Plan): EntityCounts {
  return new Map(
    [...counts].map(([entity, count]) => {
      const missing = plan.entities
        .find((e) => e.entity === entity)
        ?.missing.filter((m) => m.owner === 'customer')
        .reduce((sum, m) => sum + m.count, 0);
      return [entity, { ...count, missing: missing ?? 0 }];
    }),
  );
}

/** The customer's progress in a plan: complete when the customer owes nothing. */
export function customerProgress(plan: Plan): FormContext['progress'] {
  return (
    plan.owners.find((o) => o.owner === 'customer') ?? {
      requiredFields: 0,
      satisfiedFields: 0,
      completeness: 1,
    }
  );
}
