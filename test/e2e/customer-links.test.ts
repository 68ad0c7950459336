import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCustomerSheetAcquisition } from '../../src/test/customer-sheet.js';
import { dialects } from '../../src/test/database.js';
import { checkStep, openPage, signIn, startWebApp, type WebApp } from './support.js';

describe.each(dialects)('issuing a customer link in Chromium (%s)', (dialect) => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp(dialect);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('sales issues a link, copies it in one click, and the copied link opens the portal', async () => {
    const { page, errors } = await openPage(app, { width: 1440, height: 900 });
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: app.url,
    });
    await signIn(app, page, 'sales');
    await page.goto(`${app.url}/app/acquisitions/${app.demoId}/overview`);
    await page.getByLabel("Contact's name").fill('Priya Example');
    await page.getByRole('button', { name: 'Issue a link' }).click();
    const shown = await page.getByLabel('Link for the contact').inputValue();
    expect(shown).toMatch(new RegExp(`^${app.url}/portal#ilk_`));
    await page.getByRole('button', { name: 'Copy the link' }).click();
    await page.getByText('Copied: paste it into your email or message to the contact.').waitFor();
    const copied = await page.evaluate('navigator.clipboard.readText()');
    expect(copied).toBe(shown);
    await checkStep(page, `${dialect}-link-copied`, true);
    await page.goto(String(copied));
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await page.getByText('Harbour & Vale Logistics Ltd').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the overview of a fresh acquisition says what is still owed, never "no problems"', async () => {
    const id = await openCustomerSheetAcquisition(app.server);
    const { page, errors } = await openPage(app, { width: 1440, height: 900 });
    await signIn(app, page, 'sales');
    await page.goto(`${app.url}/app/acquisitions/${id}/overview`);
    await page.locator('.next-action').getByText('Issue a link to the customer.').waitFor();
    const owes = page.getByRole('table', { name: 'Who owes what' });
    const customer = owes.locator('tr.owes__owner', { hasText: 'Customer' });
    expect(Number(await customer.locator('td').first().textContent())).toBeGreaterThan(0);
    expect(await page.getByText(/No problems/).count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
