import type { FollowUpItem, FollowUpReminderInput } from './reminder-messages.js';

/** An open follow-up that is due, with what its reminder needs. */
export interface DueFollowUp extends FollowUpItem {
  id: string;
  acquisitionId: string;
  customerName: string;
  /** Who will answer, as staff or the customer wrote it: a name or an address. */
  contact: string;
}

/** A contact a usable link of the acquisition was issued to, with their address. */
export interface LinkContact {
  acquisitionId: string;
  contactName: string;
  contactEmail: string;
}

/** One reminder email: the follow-ups it covers and what it says. */
export interface FollowUpReminderPlan extends FollowUpReminderInput {
  acquisitionId: string;
  followUpIds: string[];
}

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const key = (s: string) => s.trim().toLowerCase();

/**
 * Groups due follow-ups into one reminder per acquisition and address. A follow-up's contact is
 * reached at the contact itself when it is an address, else at the address of a link of the same
 * acquisition issued to that name (case and spaces aside); a follow-up with neither is left out
 * (there is nobody to write to) and counted in `unreachable`.
 */
export function planFollowUpReminders(
  due: readonly DueFollowUp[],
  contacts: readonly LinkContact[],
): { reminders: FollowUpReminderPlan[]; unreachable: number } {
  const addresses = new Map<string, string>();
  for (const c of contacts)
    addresses.set(`${c.acquisitionId}\u0000${key(c.contactName)}`, c.contactEmail);
  const plans = new Map<string, FollowUpReminderPlan>();
  let unreachable = 0;
  for (const f of due) {
    const contact = f.contact.trim();
    const to = ADDRESS.test(contact)
      ? contact
      : addresses.get(`${f.acquisitionId}\u0000${key(contact)}`);
    if (!to) {
      unreachable++;
      continue;
    }
    const id = `${f.acquisitionId}\u0000${key(to)}`;
    const plan = plans.get(id) ?? {
      acquisitionId: f.acquisitionId,
      followUpIds: [],
      to,
      contactName: contact,
      customerName: f.customerName,
      items: [],
    };
    plan.followUpIds.push(f.id);
    plan.items.push({ entity: f.entity, field: f.field, dueDate: f.dueDate, note: f.note });
    plans.set(id, plan);
  }
  return { reminders: [...plans.values()], unreachable };
}
