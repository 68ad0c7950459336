import { describe, expect, it } from 'vitest';
import type { Plan } from '../plan/plan.js';
import { customerCounts, customerProgress, entityCounts } from './form-progress.js';

/** A plan with only what the form progress reads: missing answers by entity, progress by owner. */
const planOf = (
  entities: Pick<Plan['entities'][number], 'entity' | 'missing'>[],
  owners: Plan['owners'] = [],
) => ({ entities, owners }) as unknown as Plan;

describe('the progress of a form', () => {
  it('counts every entity expected or present, with 0 for the side that has none', () => {
    const counts = entityCounts(
      new Map([
        ['user', 5],
        ['site', 1],
      ]),
      new Map([
        ['user', 6],
        ['handset', 2],
      ]),
    );
    expect(Object.fromEntries(counts)).toEqual({
      user: { expected: 5, present: 6 },
      site: { expected: 1, present: 0 },
      handset: { expected: 0, present: 2 },
    });
  });

  it("adds the customer's missing answers by entity, not those of staff", () => {
    const plan = planOf([
      {
        entity: 'user',
        missing: [
          { field: 'email', owner: 'customer', count: 3 },
          { field: 'extension', owner: 'customer', count: 2 },
          { field: 'licence', owner: 'sales', count: 4 },
        ] as Plan['entities'][number]['missing'],
      },
    ]);
    const counts = customerCounts(
      new Map([
        ['user', { expected: 5, present: 5 }],
        ['handset', { expected: 2, present: 0 }],
      ]),
      plan,
    );
    expect(Object.fromEntries(counts)).toEqual({
      user: { expected: 5, present: 5, missing: 5 },
      handset: { expected: 2, present: 0, missing: 0 },
    });
  });

  it("is the customer's owner progress, or complete when the customer owes nothing", () => {
    expect(customerProgress(planOf([]))).toEqual({
      requiredFields: 0,
      satisfiedFields: 0,
      completeness: 1,
    });
    const customer = {
      owner: 'customer',
      requiredFields: 4,
      satisfiedFields: 1,
      completeness: 0.25,
    };
    expect(customerProgress(planOf([], [customer] as Plan['owners']))).toMatchObject(customer);
  });
});
