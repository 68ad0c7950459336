import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../src/test/database.js';
import { buildProposal } from '../../src/test/factories.js';
import { answerInterview } from '../../src/test/answer-interview.js';
import { DemoAnswers } from '../../src/test/fill-values.js';
import { openAcquisition } from '../../src/test/open-acquisition.js';
import { checkStep, openPage, startWebApp, type WebApp } from './support.js';

/** Opens a small acquisition (York, five seats) and answers every customer question but the site's. */
async function acquisitionWithSiteLeft(app: WebApp): Promise<string> {
  const { server } = app;
  const id = await openAcquisition(server, buildProposal());
  const answers = new DemoAnswers(['york'], 5000);
  await answerInterview(server, id, server.auth('sales'), answers, {
    owner: 'customer',
    leave: (q) => q.entity === 'site',
  });
  return id;
}

async function issueLink(app: WebApp, acquisitionId: string): Promise<string> {
  const response = await app.server.app.inject({
    method: 'POST',
    url: `/api/v1/acquisitions/${acquisitionId}/links`,
    headers: app.server.auth('sales'),
    payload: { contactName: 'Sam Example' },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ token: string }>().token;
}

describe.each(dialects)('the customer portal in Chromium (%s)', (dialect) => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp(dialect);
  });
  afterAll(async () => {
    await app?.close();
  });

  it("opens a customer link on a phone, fills in the site form and submits the customer's part", async () => {
    const id = await acquisitionWithSiteLeft(app);
    const token = await issueLink(app, id);
    const { page, errors } = await openPage(app, { width: 390, height: 844 });
    await page.goto(`${app.url}/portal#${token}`);
    await page.getByRole('heading', { name: 'Hello Sam Example' }).waitFor();
    await checkStep(page, `${dialect}-3-portal`, true);
    // Only the customer's part: no sales-owned field such as the site's country.
    expect(await page.locator('[data-field=country]').count()).toBe(0);
    // Nothing overflows sideways on a phone.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);

    // Too early: the refusal lists what is missing, in plain language.
    await page.getByRole('button', { name: 'Submit my part' }).click();
    const refusal = page
      .locator('.alert--error')
      .filter({ hasText: 'Your part cannot be submitted yet' });
    await refusal.waitFor();
    await expect.poll(() => refusal.getByText('"Time zone" is missing').count()).toBe(1);
    await checkStep(page, `${dialect}-3-portal-refused`, true);

    // On a phone each record is a card: one tap opens the site's form.
    await page
      .locator('.record-card-item__toggle')
      .filter({ hasText: /^Site at York Office/ })
      .click();
    const site = page.getByRole('group', { name: /^Site/ });
    await site.getByLabel('Time zone').fill('Europe/Lndon');
    await site
      .getByLabel('Who should')
      .or(site.getByLabel('Site contact'))
      .first()
      .click()
      .catch(() => undefined);
    await site.getByLabel('Time zone').blur();
    // The browser checks the value with the server's rules as soon as the field is left.
    await site.locator('.field--error').first().waitFor();
    await site.getByLabel('Time zone').fill('Europe/London');
    await site.getByLabel('Time zone').blur();
    const contactName = site.locator('[data-field=contactName]');
    await contactName.fill('Sam Example');
    await contactName.blur();
    const contactPhone = site.locator('[data-field=contactPhone]');
    await contactPhone.fill('0113 496 0456');
    await contactPhone.blur();
    await expect.poll(() => contactPhone.inputValue()).toBe('+441134960456');
    await checkStep(page, `${dialect}-3-portal-site-filled`);

    await page.getByRole('button', { name: 'Submit my part' }).click();
    await page.getByText(/You submitted your part on/).waitFor();
    await checkStep(page, `${dialect}-3-portal-submitted`, true);
    const links = (
      await app.server.app.inject({
        method: 'GET',
        url: `/api/v1/acquisitions/${id}/links`,
        headers: app.server.auth('sales'),
      })
    ).json<{ items: { submittedAt: string | null }[] }>();
    expect(links.items[0]!.submittedAt).not.toBeNull();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('keeps the link through the section navigation, a save, a changed fragment and a reload', async () => {
    const id = await acquisitionWithSiteLeft(app);
    const token = await issueLink(app, id);
    const { page, errors } = await openPage(app);
    const bearers = new Set<string>();
    page.on('request', (request) => {
      const authorization = request.headers().authorization;
      if (authorization) bearers.add(authorization);
    });
    await page.goto(`${app.url}/portal#${token}`);
    await page.getByRole('heading', { name: 'Hello Sam Example' }).waitFor();

    // Every section in the navigation, then back to the site: the URL still holds the link.
    const nav = page.getByRole('navigation', { name: 'Your part' });
    const sections = nav.getByRole('button');
    expect(await sections.count()).toBeGreaterThan(1);
    for (let i = 0; i < (await sections.count()); i++) {
      await sections.nth(i).click();
      expect(new URL(page.url()).hash).toBe(`#${token}`);
    }
    await nav.getByRole('button', { name: 'Site', exact: true }).click();
    expect(new URL(page.url()).hash).toBe(`#${token}`);

    // A save after the navigation goes with the link's token.
    const site = page.getByRole('group', { name: /^Site/ });
    await site.getByLabel('Time zone').fill('Europe/London');
    await site.getByLabel('Time zone').blur();
    const timeZone = async () =>
      (
        await app.server.app.inject({
          method: 'GET',
          url: `/api/v1/acquisitions/${id}/records?entity=site`,
          headers: app.server.auth('sales'),
        })
      ).json<{ items: { values: { timeZone?: string } }[] }>().items[0]?.values.timeZone;
    await expect.poll(timeZone).toBe('Europe/London');

    // A fragment changed by hand (or an old bookmark of a section) is put back, not used as a token.
    await page.evaluate('location.hash = "#entity-site"');
    await expect.poll(() => new URL(page.url()).hash).toBe(`#${token}`);

    // A reload (or the URL shared) opens the same link, with the saved answer.
    await page.reload();
    await page.getByRole('heading', { name: 'Hello Sam Example' }).waitFor();
    await page.getByRole('group', { name: /^Site/ }).getByLabel('Time zone').waitFor();
    expect(
      await page.getByRole('group', { name: /^Site/ }).getByLabel('Time zone').inputValue(),
    ).toBe('Europe/London');
    expect(await page.getByText('This link is not valid any more').count()).toBe(0);
    expect([...bearers]).toEqual([`Bearer ${token}`]);
    expect(errors).toEqual([]);
    await checkStep(page, `${dialect}-3-portal-after-navigation`, true);
    await page.close();
  });

  it('a link cannot open another acquisition', async () => {
    const id = await acquisitionWithSiteLeft(app);
    const token = await issueLink(app, id);
    const { page } = await openPage(app, { width: 390, height: 844 });
    await page.goto(`${app.url}/portal#${token}`);
    await page.getByRole('heading', { name: 'Hello Sam Example' }).waitFor();
    expect(await page.getByText('Harbour & Vale').count()).toBe(0);

    // From inside the portal page, with the link's own token, the demo acquisition does not exist.
    const answers = await page.evaluate(
      async ({ other, bearer }) => {
        const headers = { authorization: `Bearer ${bearer}` };
        const paths = ['forms', 'records', 'interview', 'template'];
        const statuses: Record<string, number> = {};
        for (const p of paths)
          statuses[p] = (await fetch(`/api/v1/acquisitions/${other}/${p}`, { headers })).status;
        statuses.list = (await fetch('/api/v1/acquisitions', { headers })).status;
        statuses.submit = (
          await fetch(`/api/v1/acquisitions/${other}/customer-part/submit`, {
            method: 'POST',
            headers,
          })
        ).status;
        return statuses;
      },
      { other: app.demoId, bearer: token },
    );
    expect(answers).toEqual({
      forms: 404,
      records: 404,
      interview: 404,
      template: 404,
      list: 403,
      submit: 404,
    });

    // The staff workspace does not take a link either.
    await page.goto(`${app.url}/app`);
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#token-error').waitFor();
    expect(await page.locator('#token-error').textContent()).toMatch(/customer link/i);
    await checkStep(page, `${dialect}-4-link-refused-elsewhere`);
    await page.close();
  });
});
