import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../src/test/database.js';
import { startSmtpListener, waitForMail } from '../../src/test/smtp-listener.js';
import { checkStep, openPage, signIn, startWebApp, type WebApp, VIEWPORTS } from './support.js';

describe.each(dialects)('sending a customer link by email in Chromium (%s)', (dialect) => {
  let smtp: Awaited<ReturnType<typeof startSmtpListener>>;
  let app: WebApp;
  beforeAll(async () => {
    smtp = await startSmtpListener();
    app = await startWebApp(dialect, { smtpUrl: smtp.url });
  });
  afterAll(async () => {
    await app?.close();
    await smtp?.close();
  });

  it.each(VIEWPORTS)(
    'sales issues a link and sends it; the email arrives, its link opens the portal, and the QR code shows ($name)',
    async ({ name, width, height }) => {
      const before = smtp.received.length;
      const address = `priya.${name}@fenwick.example`;
      const { page, errors } = await openPage(app, { width, height });
      await signIn(app, page, 'sales');
      await page.goto(`${app.url}/app/acquisitions/${app.demoId}/overview`);
      await page.getByLabel("Contact's name").fill('Priya Example');
      await page.getByLabel("Contact's email (optional)").fill(address);
      await page.getByLabel('Send the link to this email address').check();
      await page.getByRole('button', { name: 'Issue and send' }).click();
      await page.getByText(`Sent to ${address}. The link is also shown here, only now.`).waitFor();
      const shown = await page.getByLabel('Link for the contact').inputValue();
      expect(shown).toMatch(new RegExp(`^${app.url}/portal#ilk_`));

      const qr = page.getByRole('img', { name: /^QR code of the link for Priya Example/ });
      await qr.waitFor();
      expect(await qr.isVisible()).toBe(true);
      expect(
        await qr.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
      ).toBeGreaterThan(0);
      await page
        .getByText(/, emailed \d{4}-\d\d-\d\d, expires/)
        .first()
        .waitFor();
      await checkStep(page, `${dialect}-link-emailed-${name}`, true);

      const mail = (await waitForMail(smtp.received, before + 1))[before]!;
      expect(mail.to).toEqual([address]);
      expect(mail.subject).toBe(
        'Harbour & Vale Logistics Ltd: your link to provide the customer data',
      );
      const token = /portal#(ilk_[A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
      expect(token).toBeDefined();
      expect(shown.endsWith(`#${token}`)).toBe(true);

      await page.goto(`${app.url}/portal#${token}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      expect(await page.getByText('Harbour & Vale Logistics Ltd').count()).toBeGreaterThan(0);
      expect(errors).toEqual([]);
      await page.close();
    },
  );
});

describe.each(dialects)('without email set up, in Chromium (%s)', (dialect) => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp(dialect);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('the email option is off and says why; a link is issued to copy, with its QR code', async () => {
    const { page, errors } = await openPage(app, { width: 390, height: 844 });
    await signIn(app, page, 'sales');
    await page.goto(`${app.url}/app/acquisitions/${app.demoId}/overview`);
    const option = page.getByLabel('Send the link to this email address');
    await option.waitFor();
    expect(await option.isDisabled()).toBe(true);
    await page
      .getByText('Sending by email is not set up on this Intake (INTAKE_SMTP_URL)', {
        exact: false,
      })
      .waitFor();
    await page.getByLabel("Contact's name").fill('Sam Example');
    await page.getByRole('button', { name: 'Issue a link' }).click();
    await page.getByText('Send this link to the contact; it is shown only now.').waitFor();
    await page.getByRole('img', { name: /^QR code of the link for Sam Example/ }).waitFor();
    await checkStep(page, `${dialect}-link-no-email-phone`, true);
    expect(errors).toEqual([]);
    await page.close();
  });
});
