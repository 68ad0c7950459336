import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoProposal } from '../demo/seed-demo.js';
import { dialects } from '../test/database.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, type TestServer } from '../test/server.js';
import { startSmtpListener, waitForMail, type ReceivedMail } from '../test/smtp-listener.js';

interface Link {
  id: string;
  token: string;
  url: string;
  emailedAt: string | null;
  firstUsedAt: string | null;
  revokedAt: string | null;
}

describe.each(dialects)('sending a customer link by email on %s', (dialect) => {
  let smtp: Awaited<ReturnType<typeof startSmtpListener>>;
  let server: TestServer;
  let id: string;
  const issue = (payload: object) =>
    server.app.inject({
      method: 'POST',
      url: `/api/v1/acquisitions/${id}/links`,
      headers: server.auth('sales'),
      payload,
    });
  const list = async () =>
    (
      await server.app.inject({
        url: `/api/v1/acquisitions/${id}/links`,
        headers: server.auth('sales'),
      })
    ).json<{ items: Link[]; emailAvailable: boolean }>();

  beforeAll(async () => {
    smtp = await startSmtpListener();
    server = await createTestServer(
      dialect,
      undefined,
      {},
      {},
      undefined,
      undefined,
      {},
      {
        smtpUrl: smtp.url,
      },
    );
    id = await openAcquisition(server, demoProposal() as object);
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.close();
  });

  it('issues a link and sends it: the email names who, what and until when, and its link works', async () => {
    expect((await list()).emailAvailable).toBe(true);
    const issued = await issue({
      contactName: 'Priya <Nair>',
      contactEmail: 'priya.nair@fenwick.example',
      expiresInDays: 10,
      sendEmail: true,
    });
    expect(issued.statusCode, issued.body).toBe(201);
    const link = issued.json<Link>();
    expect(link.emailedAt).not.toBeNull();
    const [mail] = (await waitForMail(smtp.received)) as [ReceivedMail];
    expect(mail.to).toEqual(['priya.nair@fenwick.example']);
    expect(mail.from).toBe('intake@intake.test');
    expect(mail.subject).toBe(
      'Harbour & Vale Logistics Ltd: your link to provide the customer data',
    );
    expect(mail.text).toContain('Hello Priya <Nair>,');
    expect(mail.text).toContain('sales-test asks you to provide the customer data');
    expect(mail.text).toContain(`${link.url}\n`);
    expect(mail.text).toMatch(/The link works until \d{1,2} \w+ \d{4} at \d\d:\d\d UTC\./);
    // The HTML says the same, escaped.
    expect(mail.html).toContain('Hello Priya &lt;Nair&gt;,');
    expect(mail.html).toContain(`<a href="${link.url}">`);

    // The token in the email is the link: it signs the customer in, and the first use is kept.
    const token = /portal#(ilk_[A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
    expect(token).toBe(link.token);
    const session = await server.app.inject({
      url: '/api/v1/session',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(session.statusCode).toBe(200);
    expect(session.json()).toMatchObject({ link: { acquisitionId: id } });
    const listed = (await list()).items.find((l) => l.id === link.id);
    expect(listed?.emailedAt).toBe(link.emailedAt);
    expect(listed?.firstUsedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(listed).not.toHaveProperty('token');
  });

  it('needs an address to send to', async () => {
    const refused = await issue({ contactName: 'Tomasz', sendEmail: true });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({
      code: 'request.invalid',
      errors: [{ pointer: '/contactEmail' }],
    });
  });

  it('revokes the link at once when the SMTP server cannot be reached, and says no link was issued', async () => {
    const before = (await list()).items.length;
    await smtp.close();
    const failed = await issue({
      contactName: 'Tomasz',
      contactEmail: 'tomasz@fenwick.example',
      sendEmail: true,
    });
    expect(failed.statusCode).toBe(502);
    expect(failed.json()).toMatchObject({ code: 'mail.send-failed' });
    expect(failed.body).not.toContain('ilk_');
    const items = (await list()).items;
    expect(items).toHaveLength(before + 1);
    expect(items.at(-1)!.revokedAt).not.toBeNull();
  });
});

describe.each(dialects)('without INTAKE_SMTP_URL on %s', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer(dialect);
  });
  afterAll(() => server?.close());

  it('refuses to send with mail.not-configured, issues nothing, and says email is unavailable', async () => {
    const id = await openAcquisition(server, demoProposal() as object);
    const refused = await server.app.inject({
      method: 'POST',
      url: `/api/v1/acquisitions/${id}/links`,
      headers: server.auth('sales'),
      payload: { contactName: 'Priya', contactEmail: 'priya@fenwick.example', sendEmail: true },
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'mail.not-configured' });
    const listed = await server.app.inject({
      url: `/api/v1/acquisitions/${id}/links`,
      headers: server.auth('sales'),
    });
    expect(listed.json()).toEqual({ items: [], emailAvailable: false });
  });
});
