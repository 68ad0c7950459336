import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvedAcquisition } from '../../src/test/approved-acquisition.js';
import { dialects } from '../../src/test/database.js';
import { buildTwoSeatProposal } from '../../src/test/factories.js';
import { checkStep, openPage, signIn, startWebApp, type WebApp, VIEWPORTS } from './support.js';

/** Clicks a button that downloads a file; returns the file's name and text. */
async function download(page: Page, button: string): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: button }).click(),
  ]);
  return { name: file.suggestedFilename(), text: await readFile(await file.path(), 'utf8') };
}

describe.each(dialects)('the handover on screen in Chromium (%s)', (dialect) => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp(dialect);
  });
  afterAll(async () => {
    await app?.close();
  });

  it.each(VIEWPORTS)(
    'an engineer downloads the ProductOrder and an export, hands over, and sees it done ($name)',
    async ({ name, width, height }) => {
      const id = await approvedAcquisition(app.server, buildTwoSeatProposal());
      // The customer's contact still holds the link they filled in with.
      const link = await app.server.app.inject({
        method: 'POST',
        url: `/api/v1/acquisitions/${id}/links`,
        headers: app.server.auth('sales'),
        payload: { contactName: 'Sam Example' },
      });
      expect(link.statusCode).toBe(201);
      const token = link.json<{ token: string }>().token;
      const { page, errors } = await openPage(app, { width, height });
      await signIn(app, page, 'engineer');
      await page.goto(`${app.url}/app/acquisitions/${id}/overview`);
      const panel = page.locator('section.handover');
      await panel.getByText('Approved and ready to hand over').waitFor();
      // What will be sent, per product, before anything is.
      await panel.getByText('What will be sent').waitFor();
      await panel.getByText('Hosted voice seat × 2, with 5 records').waitFor();
      await checkStep(page, `${dialect}-handover-${name}-ready`, true);

      const order = await download(page, 'ProductOrder (JSON)');
      expect(order.name).toMatch(/product-order\.json$/);
      expect(JSON.parse(order.text)).toMatchObject({ '@type': 'ProductOrder' });
      await page.getByLabel('One export as CSV').selectOption('user');
      const users = await download(page, 'Download CSV');
      expect(users.text.split('\n').filter(Boolean)).toHaveLength(3);

      await panel.getByRole('button', { name: 'Hand over' }).click();
      await panel.getByText('Handed over', { exact: false }).first().waitFor();
      await panel.getByText('What was sent').waitFor();
      await panel.getByText('No order system is connected').waitFor();
      await expect.poll(() => panel.getByRole('button', { name: 'Hand over' }).count()).toBe(0);
      await checkStep(page, `${dialect}-handover-${name}-done`, true);
      // The customer sees one plain state in the portal.
      await page.goto(`${app.url}/portal#${token}`);
      await page.getByText('Received, thank you.').waitFor();
      expect(await page.getByText('cannot be changed').count()).toBe(0);
      await checkStep(page, `${dialect}-handover-${name}-portal`, true);
      const stored = (
        await app.server.app.inject({
          method: 'GET',
          url: `/api/v1/acquisitions/${id}`,
          headers: app.server.auth('engineer'),
        })
      ).json<{ state: string }>();
      expect(stored.state).toBe('handed_over');
      expect(errors).toEqual([]);
      await page.close();
    },
  );
});
