import { describe, expect, it } from 'vitest';
import { nextAction } from './next-action.js';
import type { OwnerWork, WorkList } from './work-list.js';

const owner = (o: OwnerWork['owner'], missing = 0): OwnerWork => ({
  owner: o,
  missing,
  problems: 0,
  followUps: 0,
  overdueFollowUps: 0,
  sites: [],
});
const work = (
  over: Partial<WorkList['totals']> = {},
  owed: Record<string, number> = {},
): WorkList => ({
  totals: { missing: 0, blocking: 0, warnings: 0, followUps: 0, overdueFollowUps: 0, ...over },
  owners: (['customer', 'sales', 'engineering'] as const).map((o) => owner(o, owed[o] ?? 0)),
  groups: [],
});

describe('the next action', () => {
  it('asks sales for a link while the customer owes answers and has none', () => {
    const w = work({ missing: 5 }, { customer: 5 });
    expect(nextAction({ state: 'collecting', role: 'sales', work: w, activeLinks: 0 }).action).toBe(
      'issue-link',
    );
    expect(nextAction({ state: 'collecting', role: 'sales', work: w, activeLinks: 1 }).action).toBe(
      'wait-customer',
    );
  });

  it('puts a role’s own answers before chasing, fixing and submitting', () => {
    const w = work({ missing: 3, overdueFollowUps: 1, blocking: 2 }, { engineering: 3 });
    expect(
      nextAction({ state: 'collecting', role: 'engineer', work: w, activeLinks: 1 }).action,
    ).toBe('answer');
    expect(nextAction({ state: 'collecting', role: 'sales', work: w, activeLinks: 1 }).action).toBe(
      'chase',
    );
    expect(
      nextAction({
        state: 'collecting',
        role: 'sales',
        work: work({ blocking: 2 }),
        activeLinks: 1,
      }).action,
    ).toBe('fix');
    expect(
      nextAction({ state: 'collecting', role: 'sales', work: work(), activeLinks: 0 }).action,
    ).toBe('submit');
  });

  it('sends review and handover to the approvers, and a failed handover to a retry', () => {
    const w = work();
    expect(
      nextAction({ state: 'in_review', role: 'engineer', work: w, activeLinks: 0 }).action,
    ).toBe('review');
    expect(nextAction({ state: 'in_review', role: 'sales', work: w, activeLinks: 0 }).action).toBe(
      'wait-review',
    );
    expect(nextAction({ state: 'approved', role: 'admin', work: w, activeLinks: 0 }).action).toBe(
      'hand-over',
    );
    expect(
      nextAction({
        state: 'approved',
        role: 'engineer',
        work: w,
        activeLinks: 0,
        handoverFailed: true,
      }).action,
    ).toBe('retry-handover');
    expect(
      nextAction({ state: 'handed_over', role: 'sales', work: w, activeLinks: 0 }).action,
    ).toBe('done');
  });
});
