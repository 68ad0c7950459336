import type { AcquisitionState } from './acquisition.js';

/** What can be done to an acquisition. */
export type Transition = 'submit' | 'approve' | 'reopen' | 'cancel' | 'handOver';

const RULES: Record<Transition, { from: readonly AcquisitionState[]; to: AcquisitionState }> = {
  submit: { from: ['collecting'], to: 'in_review' },
  approve: { from: ['in_review'], to: 'approved' },
  reopen: { from: ['in_review', 'approved'], to: 'collecting' },
  cancel: { from: ['collecting', 'in_review', 'approved'], to: 'cancelled' },
  handOver: { from: ['approved'], to: 'handed_over' },
};

/**
 * The lifecycle of DESIGN.md: collecting → in_review → approved → handed_over, reopen back to
 * collecting, cancel from any state before handed_over. Returns the next state, or why not.
 */
export function nextState(
  state: AcquisitionState,
  transition: Transition,
): { ok: true; to: AcquisitionState } | { ok: false; reason: string } {
  const rule = RULES[transition];
  if (rule.from.includes(state)) return { ok: true, to: rule.to };
  return {
    ok: false,
    reason: `cannot ${transition === 'handOver' ? 'hand over' : transition} an acquisition that is ${state.replace('_', ' ')} (allowed from: ${rule.from.join(', ').replace(/_/g, ' ')})`,
  };
}
