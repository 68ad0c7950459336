import type { Role } from '../access/roles.js';
import type { AcquisitionState } from '../acquisitions/acquisition.js';
import type { WorkList } from './work-list.js';

/** Where an action is done in the web application. */
export type ActionTarget = 'links' | 'problems' | 'interview' | 'lifecycle' | 'handover' | 'none';

/** The one thing a role should do next on an acquisition, and why. */
export interface NextAction {
  action:
    | 'issue-link'
    | 'answer'
    | 'fix'
    | 'chase'
    | 'wait-customer'
    | 'submit'
    | 'review'
    | 'wait-review'
    | 'hand-over'
    | 'wait-handover'
    | 'retry-handover'
    | 'done'
    | 'none';
  title: string;
  detail: string;
  target: ActionTarget;
}

export interface ActionFacts {
  state: AcquisitionState;
  role: Role;
  work: WorkList;
  /** Customer links that are still usable. */
  activeLinks: number;
  /** The last handover attempt failed (the order system refused or could not be reached). */
  handoverFailed?: boolean;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * What a role should do next: issue a link while the customer owes answers and has none, answer
 * what the role's own side owes, fix blocking problems, chase overdue follow-ups, submit, review and
 * approve, hand over. Pure: the same facts give the same advice.
 */
export function nextAction(facts: ActionFacts): NextAction {
  const { state, role, work } = facts;
  const approver = role === 'admin' || role === 'engineer';
  const writer = role !== 'viewer';
  const owes = (owner: string) => work.owners.find((o) => o.owner === owner);
  switch (state) {
    case 'collecting': {
      if (!writer)
        return {
          action: 'none',
          title: 'Being collected',
          detail: `${plural(work.totals.missing, 'required answer')} still missing.`,
          target: 'problems',
        };
      const customer = owes('customer');
      if (customer && customer.missing > 0 && facts.activeLinks === 0 && role !== 'engineer')
        return {
          action: 'issue-link',
          title: 'Issue a link to the customer',
          detail: `The customer owes ${plural(customer.missing, 'answer')} and has no link to give them.`,
          target: 'links',
        };
      const own = role === 'engineer' ? owes('engineering') : owes('sales');
      if (own && own.missing > 0)
        return {
          action: 'answer',
          title: `Answer what ${role === 'engineer' ? 'engineering' : 'sales'} owes`,
          detail: `${plural(own.missing, 'required answer')} ${own.missing === 1 ? 'is' : 'are'} yours to give.`,
          target: 'problems',
        };
      if (work.totals.overdueFollowUps > 0)
        return {
          action: 'chase',
          title: 'Chase the overdue follow-ups',
          detail: `${plural(work.totals.overdueFollowUps, 'follow-up')} ${work.totals.overdueFollowUps === 1 ? 'is' : 'are'} past due.`,
          target: 'interview',
        };
      if (work.totals.blocking > 0)
        return {
          action: 'fix',
          title: 'Fix the blocking problems',
          detail: `${plural(work.totals.blocking, 'problem')} must be fixed before review.`,
          target: 'problems',
        };
      if (work.totals.missing > 0)
        return {
          action: 'wait-customer',
          title: 'Waiting for the customer',
          detail: `The customer still owes ${plural(work.totals.missing, 'answer')}${work.totals.followUps ? `; ${plural(work.totals.followUps, 'follow-up')} open` : ''}.`,
          target: 'problems',
        };
      return {
        action: 'submit',
        title: 'Submit for review',
        detail: 'Every required answer is given and nothing blocks.',
        target: 'lifecycle',
      };
    }
    case 'in_review':
      return approver
        ? {
            action: 'review',
            title: 'Review and approve',
            detail: "Check the data, then approve it with the customer's confirmation.",
            target: 'lifecycle',
          }
        : {
            action: 'wait-review',
            title: 'Waiting for review',
            detail: 'Engineering reviews the data before it can be approved.',
            target: 'none',
          };
    case 'approved':
      if (facts.handoverFailed)
        return approver
          ? {
              action: 'retry-handover',
              title: 'Retry the handover',
              detail: 'The order system did not take the last handover.',
              target: 'handover',
            }
          : {
              action: 'wait-handover',
              title: 'Handover failed',
              detail: 'Engineering retries the handover.',
              target: 'handover',
            };
      return approver
        ? {
            action: 'hand-over',
            title: 'Hand over',
            detail: 'Send the order to order management and provisioning.',
            target: 'handover',
          }
        : {
            action: 'wait-handover',
            title: 'Approved',
            detail: 'Engineering hands it over to order management.',
            target: 'handover',
          };
    case 'handed_over':
      return {
        action: 'done',
        title: 'Handed over',
        detail: 'Nothing left to do.',
        target: 'handover',
      };
    case 'cancelled':
      return {
        action: 'none',
        title: 'Nothing to do',
        detail: 'The acquisition is cancelled.',
        target: 'none',
      };
  }
}
