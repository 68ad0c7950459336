import { composeMessage, formatDateTime, type MailMessage } from './mail-message.js';

/** What the email of a newly issued link says. */
export interface LinkMessageInput {
  /** The contact's address. */
  to: string;
  contactName: string;
  /** The customer (organisation) the data is for. */
  customerName: string;
  /** The proposal the acquisition was opened from. */
  proposalReference: string;
  /** Who issued the link: the staff token's name. */
  operator: string;
  /** The link, token in the fragment. */
  url: string;
  expiresAt: string;
}

/**
 * The email that sends a customer contact their link: who sent it and why, what to do, the
 * link, and until when it works.
 *
 * @example
 * buildLinkMessage({ to: 'priya@example.com', contactName: 'Priya', customerName: 'Harbour Ltd',
 *   proposalReference: 'Q-1', operator: 'Sam (sales)', url: 'https://intake/portal#ilk_…',
 *   expiresAt: '2026-12-13T14:30:00.000Z' }).subject
 * // 'Harbour Ltd: your link to provide the customer data'
 */
export function buildLinkMessage(input: LinkMessageInput): MailMessage {
  return composeMessage(input.to, `${input.customerName}: your link to provide the customer data`, [
    { paragraph: `Hello ${input.contactName},` },
    {
      paragraph: `${input.operator} asks you to provide the customer data ${input.customerName} still owes for proposal ${input.proposalReference}: sites, contacts, users and the other details the order needs.`,
    },
    {
      paragraph:
        'Open the link below in your browser. It needs no password; you can answer in several sittings, and when everything is there, choose "Submit my part".',
    },
    { link: input.url, label: 'Provide the customer data' },
    {
      paragraph: `The link works until ${formatDateTime(input.expiresAt)}. Keep it to yourself: whoever has it can see and change your answers.`,
    },
    {
      paragraph: `If you did not expect this email, ignore it or tell ${input.operator}.`,
    },
  ]);
}
