import { describe, expect, it } from 'vitest';
import { planFollowUpReminders, type DueFollowUp } from './follow-up-recipients.js';
import { buildLinkMessage } from './link-message.js';
import { composeMessage, formatDate, formatDateTime } from './mail-message.js';
import { buildFollowUpReminder, buildUnusedLinkReminder } from './reminder-messages.js';

const link = {
  to: 'priya@fenwick.example',
  contactName: 'Priya Nair',
  customerName: 'Harbour & Vale Logistics Ltd',
  proposalReference: 'Q-2026-0042',
  operator: 'Sam Seller',
  url: 'https://intake.example.com/portal#ilk_abc-123',
  expiresAt: '2026-12-13T14:30:00.000Z',
};

describe('the email of a link', () => {
  it('says who sends it, for which customer, what to do, the link and until when', () => {
    const message = buildLinkMessage(link);
    expect(message.to).toBe('priya@fenwick.example');
    expect(message.subject).toBe(
      'Harbour & Vale Logistics Ltd: your link to provide the customer data',
    );
    expect(message.text).toBe(
      [
        'Hello Priya Nair,',
        'Sam Seller asks you to provide the customer data Harbour & Vale Logistics Ltd still owes for proposal Q-2026-0042: sites, contacts, users and the other details the order needs.',
        'Open the link below in your browser. It needs no password; you can answer in several sittings, and when everything is there, choose "Submit my part".',
        'https://intake.example.com/portal#ilk_abc-123',
        'The link works until 13 December 2026 at 14:30 UTC. Keep it to yourself: whoever has it can see and change your answers.',
        'If you did not expect this email, ignore it or tell Sam Seller.',
      ].join('\n\n') + '\n',
    );
  });

  it('escapes every value in the HTML and shows the link in full', () => {
    const message = buildLinkMessage({
      ...link,
      contactName: '<script>alert(1)</script>',
      url: 'https://intake.example.com/portal#ilk_"x"',
    });
    expect(message.html).not.toContain('<script>');
    expect(message.html).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt;,');
    expect(message.html).toContain('Harbour &amp; Vale Logistics Ltd');
    expect(message.html).toContain(
      '<a href="https://intake.example.com/portal#ilk_&quot;x&quot;">Provide the customer data</a><br>https://intake.example.com/portal#ilk_&quot;x&quot;',
    );
    expect(message.html).toMatch(/^<!doctype html>\n<html lang="en">/);
  });
});

describe('reminders', () => {
  it('of an unused link point to the first email and to whoever can issue a new one', () => {
    const message = buildUnusedLinkReminder({
      to: link.to,
      contactName: 'Priya Nair',
      customerName: 'Fenwick Ltd',
      operator: 'Sam Seller',
      issuedAt: '2026-12-01T09:00:00.000Z',
      expiresAt: '2026-12-15T09:00:00.000Z',
    });
    expect(message.subject).toBe('Reminder: the customer data for Fenwick Ltd');
    expect(message.text).toContain(
      'On 1 December 2026 Sam Seller sent you a link to provide the customer data for Fenwick Ltd. It has not been opened yet.',
    );
    expect(message.text).toContain('it works until 15 December 2026 at 09:00 UTC');
    expect(message.text).not.toContain('ilk_');
  });

  it('of follow-ups list each answer due, with its note', () => {
    const message = buildFollowUpReminder({
      to: link.to,
      contactName: 'Priya Nair',
      customerName: 'Fenwick Ltd',
      items: [
        { entity: 'site', field: 'accessHours', dueDate: '2026-12-03', note: 'Ask the landlord' },
        { entity: 'user', field: 'email', dueDate: '2026-12-04', note: null },
      ],
    });
    expect(message.subject).toBe('Reminder: 2 answers due for Fenwick Ltd');
    expect(message.text).toContain(
      '- accessHours (site), due 3 December 2026: Ask the landlord\n- email (user), due 4 December 2026',
    );
    expect(message.html).toContain('<ul><li>accessHours (site), due 3 December 2026');
  });
});

describe('follow-up recipients', () => {
  const due = (id: string, acquisitionId: string, contact: string): DueFollowUp => ({
    id,
    acquisitionId,
    customerName: 'Fenwick Ltd',
    contact,
    entity: 'site',
    field: `field-${id}`,
    dueDate: '2026-12-03',
    note: null,
  });

  it('writes to an address as given, or to the address of a link issued to that name', () => {
    const { reminders, unreachable } = planFollowUpReminders(
      [
        due('1', 'a', 'Priya Nair'),
        due('2', 'a', ' priya nair '),
        due('3', 'a', 'tomasz@fenwick.example'),
        due('4', 'b', 'Priya Nair'),
        due('5', 'a', 'Nobody Known'),
      ],
      [
        { acquisitionId: 'a', contactName: 'Priya Nair', contactEmail: 'old@fenwick.example' },
        { acquisitionId: 'a', contactName: 'PRIYA NAIR', contactEmail: 'priya@fenwick.example' },
      ],
    );
    expect(unreachable).toBe(2);
    expect(reminders.map((r) => [r.acquisitionId, r.to, r.followUpIds])).toEqual([
      ['a', 'priya@fenwick.example', ['1', '2']],
      ['a', 'tomasz@fenwick.example', ['3']],
    ]);
    expect(reminders[0]!.items.map((i) => i.field)).toEqual(['field-1', 'field-2']);
  });
});

describe('message helpers', () => {
  it('compose text and HTML from the same blocks', () => {
    const m = composeMessage('a@example.com', 'S', [{ paragraph: 'A & B' }, { list: ['x'] }]);
    expect(m.text).toBe('A & B\n\n- x\n');
    expect(m.html).toContain('<p>A &amp; B</p>\n<ul><li>x</li></ul>');
  });

  it('format dates in UTC, whatever the server zone', () => {
    expect(formatDate('2026-12-03')).toBe('3 December 2026');
    expect(formatDateTime('2026-12-03T23:59:00.000Z')).toBe('3 December 2026 at 23:59 UTC');
  });
});
