import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoProposal } from '../demo/seed-demo.js';
import { dialects } from '../test/database.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, type TestServer } from '../test/server.js';
import { startSmtpListener, waitForMail } from '../test/smtp-listener.js';

const DAY = 24 * 60 * 60 * 1000;

describe.each(dialects)('reminders by email on %s', (dialect) => {
  let smtp: Awaited<ReturnType<typeof startSmtpListener>>;
  let server: TestServer;
  let id: string;
  let clock = Date.parse('2026-12-01T09:00:00.000Z');
  const url = (path: string) => `/api/v1/acquisitions/${id}${path}`;
  const issue = async (payload: object) => {
    const issued = await server.app.inject({
      method: 'POST',
      url: url('/links'),
      headers: server.auth('sales'),
      payload,
    });
    expect(issued.statusCode, issued.body).toBe(201);
    return issued.json<{ id: string; token: string }>();
  };
  const followUp = async (recordId: string, field: string, contact: string, dueDate: string) => {
    const marked = await server.app.inject({
      method: 'POST',
      url: url('/interview/answers'),
      headers: server.auth('sales'),
      payload: { recordId, field, followUp: { dueDate, contact } },
    });
    expect(marked.statusCode, marked.body).toBe(201);
  };

  beforeAll(async () => {
    smtp = await startSmtpListener();
    server = await createTestServer(
      dialect,
      () => new Date(clock),
      {},
      {},
      undefined,
      undefined,
      {},
      {
        smtpUrl: smtp.url,
        unusedLinkDays: 3,
      },
    );
    id = await openAcquisition(server, demoProposal() as object);
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('reminds an unused link after the set days and due follow-ups, once each', async () => {
    const unused = await issue({
      contactName: 'Priya Nair',
      contactEmail: 'priya@fenwick.example',
      sendEmail: true,
    });
    await waitForMail(smtp.received, 1);
    const used = await issue({ contactName: 'Ola', contactEmail: 'ola@fenwick.example' });
    await server.app.inject({
      url: '/api/v1/session',
      headers: { authorization: `Bearer ${used.token}` },
    });
    await issue({ contactName: 'No Address' });

    const questions = await server.app.inject({
      url: url('/interview?limit=3'),
      headers: server.auth('sales'),
    });
    const [q1, q2, q3] = questions.json<{ questions: { recordId: string; field: string }[] }>()
      .questions;
    await followUp(q1!.recordId, q1!.field, 'priya nair', '2026-12-03');
    await followUp(q2!.recordId, q2!.field, 'tomasz@fenwick.example', '2026-12-04');
    await followUp(q3!.recordId, q3!.field, 'Someone Unknown', '2026-12-04');

    // A day on: the link is young and nothing is due yet.
    clock += DAY;
    expect(await server.services.reminders.sweep()).toEqual({ sent: 0, failed: 0, unreachable: 0 });

    // Three days on: the unused link, Priya's follow-up (through her link's address) and Tomasz's.
    clock += 2 * DAY;
    expect(await server.services.reminders.sweep()).toEqual({ sent: 3, failed: 0, unreachable: 1 });
    const reminders = (await waitForMail(smtp.received, 4)).slice(1);
    const byRecipient = (to: string) =>
      reminders.filter((m) => m.to[0] === to).map((m) => m.subject);
    expect(byRecipient('priya@fenwick.example').sort()).toEqual([
      'Reminder: 1 answer due for Harbour & Vale Logistics Ltd',
      'Reminder: the customer data for Harbour & Vale Logistics Ltd',
    ]);
    expect(byRecipient('tomasz@fenwick.example')).toEqual([
      'Reminder: 1 answer due for Harbour & Vale Logistics Ltd',
    ]);
    expect(byRecipient('ola@fenwick.example')).toEqual([]);
    const linkReminder = reminders.find((m) => m.subject.startsWith('Reminder: the customer'))!;
    expect(linkReminder.text).toContain('On 1 December 2026 sales-test sent you a link');
    expect(linkReminder.text).not.toContain(unused.token);
    const tomasz = reminders.find((m) => m.to[0] === 'tomasz@fenwick.example')!;
    expect(tomasz.text).toContain(`- ${q2!.field} (`);

    // The same reminders are never sent twice.
    clock += DAY;
    expect(await server.services.reminders.sweep()).toEqual({ sent: 0, failed: 0, unreachable: 1 });
    expect(smtp.received).toHaveLength(4);
  });

  it('sends nothing, and records nothing, when the SMTP server does not answer', async () => {
    await issue({ contactName: 'Late', contactEmail: 'late@fenwick.example' });
    clock += 4 * DAY;
    await smtp.close();
    const result = await server.services.reminders.sweep();
    expect(result).toMatchObject({ sent: 0, failed: 1 });
    const recorded = await server.database.db
      .selectFrom('reminders')
      .select('kind')
      .where('kind', '=', 'unused-link')
      .execute();
    expect(recorded).toHaveLength(1); // Priya's, from the first sweep; Late's was released.
  });
});
