import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../src/test/database.js';
import { buildItem, buildProposal } from '../../src/test/factories.js';
import { openAcquisition } from '../../src/test/open-acquisition.js';
import { checkStep, openPage, signIn, startWebApp, type WebApp } from './support.js';

/** A one-page PDF as a scanner writes it, small enough to read in a test. */
const LOA_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
);

/** Twelve seats in York (more than a page of forms: a grid on a wide screen) and one number port. */
const phoneProposal = () =>
  buildProposal({
    items: [
      buildItem({ quantity: 12 }),
      {
        id: 'port',
        productSpecification: 'number-port',
        quantity: 1,
        characteristics: { portType: 'full', losingCarrier: 'Northern Telecom Services' },
      },
    ],
  });

const viewports = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1440, height: 900 },
] as const;

describe.each(dialects)('the portal first on a phone, in Chromium (%s)', (dialect) => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp(dialect);
  });
  afterAll(async () => {
    await app?.close();
  });

  /** The values of the acquisition's first record of an entity, as staff read them. */
  const valuesOf = async (id: string, entity: string) =>
    (
      await app.server.app.inject({
        method: 'GET',
        url: `/api/v1/acquisitions/${id}/records?entity=${entity}`,
        headers: app.server.auth('sales'),
      })
    ).json<{ items: { values: Record<string, unknown> }[] }>().items[0]?.values ?? {};

  async function openPortal(viewport: (typeof viewports)[number]) {
    const id = await openAcquisition(app.server, phoneProposal());
    const issued = await app.server.app.inject({
      method: 'POST',
      url: `/api/v1/acquisitions/${id}/links`,
      headers: app.server.auth('sales'),
      payload: { contactName: 'Sam Example' },
    });
    const token = issued.json<{ token: string }>().token;
    const { page, errors } = await openPage(app, viewport);
    await page.goto(`${app.url}/portal#${token}`);
    await page.getByRole('heading', { name: 'Hello Sam Example' }).waitFor();
    return { id, token, page, errors };
  }

  /** Opens a record's form: on a phone by tapping its card, on a wide screen it is there. */
  async function recordForm(page: Page, phone: boolean, card: RegExp, legend: RegExp) {
    if (phone) {
      const button = page.locator('.record-card-item__toggle').filter({ hasText: card });
      await button.click();
      expect(await button.getAttribute('aria-expanded')).toBe('true');
    }
    const form = page.getByRole('group', { name: legend });
    await form.waitFor();
    return form;
  }

  for (const viewport of viewports) {
    it(`fills in the port request with pickers and uploads the signed LOA (${viewport.name})`, async () => {
      const phone = viewport.name === 'phone';
      const prefix = `${dialect}-8-portal-${viewport.name}`;
      const { id, token, page, errors } = await openPortal(viewport);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
        viewport.width,
      );
      const users = page.locator('#entity-user');
      if (phone) {
        // One card per user with what is missing, and no keyboard hints.
        const cards = users.locator('.record-card-item');
        await cards.first().waitFor();
        expect(await cards.count()).toBe(12);
        expect(await cards.first().textContent()).toMatch(/\d+ answers? to give/);
        expect(await page.getByText(/Arrows move/).count()).toBe(0);
        expect(await users.getByRole('grid').count()).toBe(0);
      } else {
        await users.getByRole('grid').waitFor();
      }
      await checkStep(page, `${prefix}-1-list`, true);

      // A tap on a user's card opens that user's form; a name given shows on the card.
      if (phone) {
        const user = await recordForm(page, true, /^User 1 at York Office/, /^User/);
        await user.locator('[data-field=firstName]').fill('Ada');
        await user.locator('[data-field=lastName]').fill('Lovelace');
        await user.locator('[data-field=lastName]').blur();
        await expect.poll(async () => (await valuesOf(id, 'user')).lastName).toBe('Lovelace');
        await page.getByRole('button', { name: /^Ada Lovelace/ }).waitFor();
        await checkStep(page, `${prefix}-2-user-form`, true);
        await page.getByRole('button', { name: /^Done with/ }).click();
      }

      // The site's time zone, searched by city.
      const site = await recordForm(page, phone, /^Site at York Office/, /^Site/);
      await site.getByLabel('Time zone').fill('london');
      await site.getByLabel('Time zone').blur();
      await expect.poll(async () => (await valuesOf(id, 'site')).timeZone).toBe('Europe/London');
      expect(await site.getByLabel('Time zone').inputValue()).toBe('Europe/London');

      // The port request: country by name, the date in the browser's date picker, the LOA.
      const port = await recordForm(page, phone, /^Port request \(LOA\)/, /^Port request/);
      await port.locator('[data-field=serviceCountry]').selectOption({ label: 'United Kingdom' });
      await expect.poll(async () => (await valuesOf(id, 'portRequest')).serviceCountry).toBe('GB');
      const date = port.locator('[data-field=requestedPortDate]');
      expect(await date.getAttribute('type')).toBe('date');
      await date.fill('2026-12-14');
      await date.blur();
      await expect
        .poll(async () => (await valuesOf(id, 'portRequest')).requestedPortDate)
        .toBe('2026-12-14');
      await port.locator('[data-field=loa]').setInputFiles({
        name: 'LOA signed.pdf',
        mimeType: 'application/pdf',
        buffer: LOA_PDF,
      });
      await port.getByText('LOA signed.pdf').waitFor();
      await expect.poll(async () => (await valuesOf(id, 'portRequest')).loa).toMatch(/^att_/);
      const attachmentId = String((await valuesOf(id, 'portRequest')).loa);
      await checkStep(page, `${prefix}-3-port-request`, true);

      // A file that is not a PDF, PNG or JPEG is refused in plain words.
      await port.locator('[data-field=invoice]').setInputFiles({
        name: 'invoice.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.from('not really a pdf'),
      });
      await page
        .locator('form.record-form p.error')
        .filter({ hasText: /Not uploaded: The file is not a PDF, PNG or JPEG/ })
        .waitFor();

      // Staff download the LOA as it was sent; the customer's link may not.
      const download = (bearer: string) =>
        fetch(`${app.url}/api/v1/acquisitions/${id}/attachments/${attachmentId}`, {
          headers: { authorization: `Bearer ${bearer}` },
        });
      const asStaff = await download(app.server.tokens.engineer);
      expect(asStaff.status).toBe(200);
      expect(asStaff.headers.get('content-type')).toBe('application/pdf');
      expect(Buffer.from(await asStaff.arrayBuffer()).equals(LOA_PDF)).toBe(true);
      expect((await download(token)).status).toBe(403);
      // A customer sees the file's name but is offered no download.
      expect(await port.getByRole('link', { name: /^Download/ }).count()).toBe(0);

      // An engineer downloads the same file from the port request's form in the workspace.
      const staff = await openPage(app, viewport);
      await signIn(app, staff.page, 'engineer');
      await staff.page.goto(`${app.url}/app/acquisitions/${id}/data?entity=portRequest`);
      const [file] = await Promise.all([
        staff.page.waitForEvent('download'),
        staff.page.getByRole('link', { name: 'Download LOA signed.pdf' }).click(),
      ]);
      expect(file.suggestedFilename()).toBe('LOA signed.pdf');
      expect((await readFile(await file.path())).equals(LOA_PDF)).toBe(true);
      await checkStep(staff.page, `${prefix}-4-staff-download`, true);
      expect(staff.errors).toEqual([]);
      await staff.page.close();

      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
        viewport.width,
      );
      expect(errors).toEqual([]);
      await page.close();
    }, 120_000);
  }
});
