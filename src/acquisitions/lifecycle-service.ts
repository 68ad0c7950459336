import type { Kysely } from 'kysely';
import type { Principal } from '../access/roles.js';
import type { Database } from '../db/schema.js';
import { AppError, type ProblemDetail } from '../errors.js';
import { appendAcquisitionEvent } from './acquisition-events.js';
import { AcquisitionRepository, type TransitionChanges } from './acquisition-repository.js';
import type { AcquisitionService } from './acquisition-service.js';
import type { AcquisitionWithProposal } from './acquisition.js';
import { nextState, type Transition } from './lifecycle.js';

/**
 * What stops an acquisition going to review, as a refused submit lists it: the problems and missing
 * answers in groups (per rule, field and site, as the problems view groups them), the number of
 * problems in them, and one detail per group. The work list works it out (worklist/).
 */
export interface SubmitBlockers {
  problems: number;
  groups: number;
  /** One per group, the first 1,000 groups. */
  details: ProblemDetail[];
}

export const lifecycleErrors = {
  refused: (message: string, details: ProblemDetail[]) =>
    new AppError('acquisition.transition-refused', 409, message, details),
};

/** Moves acquisitions through their lifecycle, refusing with every reason. */
export class LifecycleService {
  /** `submitBlockers` says what stops submission: blocking findings and missing answers. */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly acquisitions: AcquisitionService,
    private readonly submitBlockers: (id: string) => Promise<SubmitBlockers>,
    private readonly now: () => Date,
  ) {}

  async transition(
    id: string,
    transition: Transition,
    by: Principal,
    input: { customerConfirmation?: string; reason?: string } = {},
  ): Promise<AcquisitionWithProposal> {
    const acquisition = await this.acquisitions.get(id);
    const next = nextState(acquisition.state, transition);
    if (!next.ok) throw lifecycleErrors.refused(`The acquisition ${next.reason}.`, []);
    if (transition === 'submit') {
      const { problems, groups, details } = await this.submitBlockers(id);
      if (groups > 0) {
        throw lifecycleErrors.refused(
          `The acquisition cannot go to review: ${problems} problem${problems > 1 ? 's' : ''} in ${groups} group${groups > 1 ? 's' : ''} must be fixed first.`,
          details,
        );
      }
    }
    if (transition === 'approve' && !input.customerConfirmation?.trim()) {
      throw lifecycleErrors.refused(
        "Approval needs the customer's confirmation: say who confirmed the data and how.",
        [{ pointer: '/customerConfirmation', detail: 'is required' }],
      );
    }
    const at = this.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      const version = await new AcquisitionRepository(trx).transition(
        id,
        acquisition.version,
        next.to,
        changesOf(transition, at, by, input),
        at,
      );
      if (version === undefined)
        throw lifecycleErrors.refused(
          'The acquisition changed state meanwhile; read it again.',
          [],
        );
      await appendAcquisitionEvent(
        trx,
        id,
        'acquisitionStateChangeEvent',
        {
          acquisitionId: id,
          from: acquisition.state,
          to: next.to,
          by: by.name,
          ...(input.reason ? { reason: input.reason } : {}),
        },
        this.now(),
      );
    });
    return this.acquisitions.get(id);
  }
}

/** The columns a transition sets besides the state: when it happened, and who approved. */
function changesOf(
  transition: Transition,
  at: string,
  by: Principal,
  input: { customerConfirmation?: string },
): TransitionChanges {
  switch (transition) {
    case 'submit':
      return { submitted_at: at };
    case 'approve':
      return {
        approved_at: at,
        approved_by: by.name,
        customer_confirmation: input.customerConfirmation?.trim() ?? null,
      };
    case 'reopen':
      return { approved_at: null, approved_by: null, customer_confirmation: null };
    case 'cancel':
      return { cancelled_at: at };
    case 'handOver':
      return {};
  }
}
