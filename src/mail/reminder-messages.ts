import { composeMessage, formatDate, formatDateTime, type MailMessage } from './mail-message.js';

/** A link sent some days ago and never opened. */
export interface UnusedLinkReminderInput {
  to: string;
  contactName: string;
  customerName: string;
  /** Who issued the link. */
  operator: string;
  issuedAt: string;
  expiresAt: string;
}

/**
 * Reminds a contact of a link they have not opened. The link itself cannot be in it: Intake keeps
 * only its hash, so the reminder points to the first email and to whoever can issue a new one.
 */
export function buildUnusedLinkReminder(input: UnusedLinkReminderInput): MailMessage {
  return composeMessage(input.to, `Reminder: the customer data for ${input.customerName}`, [
    { paragraph: `Hello ${input.contactName},` },
    {
      paragraph: `On ${formatDate(input.issuedAt)} ${input.operator} sent you a link to provide the customer data for ${input.customerName}. It has not been opened yet.`,
    },
    {
      paragraph: `Please open it from that email; it works until ${formatDateTime(input.expiresAt)}. If you cannot find it, ask ${input.operator} for a new one.`,
    },
  ]);
}

/** One answer a contact said they would give later. */
export interface FollowUpItem {
  /** The catalogue entity of the record, e.g. `site`. */
  entity: string;
  field: string;
  dueDate: string;
  note: string | null;
}

/** Answers due from one contact on one acquisition. */
export interface FollowUpReminderInput {
  to: string;
  /** The name the follow-ups were promised under (may be the address itself). */
  contactName: string;
  customerName: string;
  items: FollowUpItem[];
}

/** Reminds a contact of the answers they promised, due today or earlier. */
export function buildFollowUpReminder(input: FollowUpReminderInput): MailMessage {
  const many = input.items.length !== 1;
  return composeMessage(
    input.to,
    `Reminder: ${input.items.length} answer${many ? 's' : ''} due for ${input.customerName}`,
    [
      { paragraph: `Hello ${input.contactName},` },
      {
        paragraph: `You said you would provide ${many ? 'these answers' : 'this answer'} for ${input.customerName} by now:`,
      },
      {
        list: input.items.map(
          (i) =>
            `${i.field} (${i.entity}), due ${formatDate(i.dueDate)}${i.note ? `: ${i.note}` : ''}`,
        ),
      },
      {
        paragraph:
          'Please give them through the link you were sent, or to the person who asked you.',
      },
    ],
  );
}
