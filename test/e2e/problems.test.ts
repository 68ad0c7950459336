import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../src/test/database.js';
import { buildQuote } from '../../src/test/factories.js';
import { openAcquisition } from '../../src/test/open-acquisition.js';
import { checkStep, openPage, signIn, startWebApp, type WebApp, VIEWPORTS } from './support.js';

interface User {
  id: string;
  site: string | null;
  values: Record<string, unknown>;
}

describe.each(dialects)(
  'what to do next and problems fixed in bulk, in Chromium (%s)',
  (dialect) => {
    let app: WebApp;
    beforeAll(async () => {
      app = await startWebApp(dialect);
    });
    afterAll(async () => {
      await app?.close();
    });

    const users = async (id: string) =>
      (
        await app.server.app.inject({
          method: 'GET',
          url: `/api/v1/acquisitions/${id}/records?entity=user&limit=500`,
          headers: app.server.auth('sales'),
        })
      )
        .json<{ items: User[] }>()
        .items.filter((u) => u.site === 'site-ldn');

    it.each(VIEWPORTS)(
      'sales sees the next action and who owes what, opens a group, and fixes it in bulk ($name)',
      async ({ name, width, height }) => {
        // The 3-site, 120-seat quote; three London users wrote their language their own way.
        const id = await openAcquisition(app.server, buildQuote({ id: `Q-PROBLEMS-${name}` }));
        const london = await users(id);
        const written = await app.server.app.inject({
          method: 'POST',
          url: `/api/v1/acquisitions/${id}/records/bulk`,
          headers: app.server.auth('sales'),
          payload: {
            records: [
              ['Amira', 'Haddad', 'en_gb'],
              ['Ben', 'Okafor', 'EN GB'],
              ['Chloe', 'Brennan', 'fr fr'],
            ].map(([firstName, lastName, language], i) => ({
              id: london[i]!.id,
              values: { firstName, lastName, extension: `30${i + 1}`, language },
            })),
          },
        });
        expect(written.statusCode).toBe(200);

        const { page, errors } = await openPage(app, { width, height });
        await signIn(app, page, 'sales');
        await page.goto(`${app.url}/app/acquisitions/${id}/overview`);
        const next = page.locator('.next-action');
        await next.getByText('Issue a link to the customer.').waitFor();
        const owes = page.getByRole('table', { name: 'Who owes what' });
        await owes.getByRole('link', { name: 'Customer', exact: true }).waitFor();
        expect(await page.getByText('No problems').count()).toBe(0);
        await checkStep(page, `${dialect}-problems-${name}-1-overview`, true);

        // The customer's London count opens the problems tab at them.
        await owes
          .getByRole('link', { name: /^Customer at London Bridge Office: \d+ missing answers/ })
          .click();
        await page.getByRole('heading', { name: 'Problems and missing answers' }).waitFor();
        expect(new URL(page.url()).searchParams.get('site')).toBe('site-ldn');
        const groups = page.locator('.group-list > li');
        await expect.poll(() => groups.count()).toBeGreaterThan(3);
        for (const meta of await page.locator('.group__meta').allTextContents())
          expect(meta).toContain('London Bridge Office');
        await checkStep(page, `${dialect}-problems-${name}-2-grouped`, true);

        // The language group: three records by name, and the corrections Intake suggests.
        const language = page.locator('.group', { hasText: 'Language must be one of' });
        await language
          .getByText('Amira Haddad (ext. 301), Ben Okafor (ext. 302), Chloe Brennan (ext. 303)')
          .waitFor();
        await language.getByRole('link').click();
        const fix = page.locator('section.group-fix');
        await fix.getByText('3 records at London Bridge Office').waitFor();
        await fix.getByText('“en_gb” → “en-GB”').waitFor();
        await checkStep(page, `${dialect}-problems-${name}-3-group`, true);
        await fix.getByRole('button', { name: 'Accept 3 suggestions' }).click();
        const confirm = fix.getByRole('alertdialog');
        await confirm
          .getByText(/This changes Language on 3 records, 3 of them over a value already there/)
          .waitFor();
        await checkStep(page, `${dialect}-problems-${name}-4-confirm`, true);
        await confirm.getByRole('button', { name: 'Change 3 records' }).click();
        await fix
          .getByText('Nothing is left in this group: it has been fixed.')
          .waitFor()
          .catch(async (e: unknown) => {
            await checkStep(page, `${dialect}-problems-${name}-debug`);
            throw e;
          });
        const languages = (await users(id)).slice(0, 3).map((u) => u.values.language);
        expect(languages).toEqual(['en-GB', 'en-GB', 'fr-FR']);

        // Voicemail for every London user at once, from its missing-answer group.
        await page.goto(`${app.url}/app/acquisitions/${id}/problems?owner=customer&site=site-ldn`);
        const voicemail = page.locator('.group', { hasText: 'User · Voicemail is missing' });
        const count = Number(
          /(\d+) records/.exec((await voicemail.locator('.group__count').textContent()) ?? '')![1],
        );
        expect(count).toBe(london.length);
        await voicemail.getByRole('link').click();
        await fix.getByLabel('Voicemail').selectOption('yes');
        await fix.getByRole('button', { name: `Set Voicemail for these ${count} records` }).click();
        await fix
          .getByRole('alertdialog')
          .getByRole('button', { name: `Change ${count} records` })
          .click();
        await fix.getByText('Nothing is left in this group: it has been fixed.').waitFor();
        await checkStep(page, `${dialect}-problems-${name}-5-fixed`, true);
        const after = await users(id);
        expect(after.filter((u) => u.values.voicemail === true)).toHaveLength(london.length);

        // A refused submit lists the same groups, each naming its records and opening them.
        await page.goto(`${app.url}/app/acquisitions/${id}/overview`);
        await page.getByRole('button', { name: 'Submit for review' }).click();
        const refusal = page.locator('.lifecycle');
        await refusal.getByText(/must be fixed first/).waitFor();
        const reason = refusal.getByRole('button', {
          name: /^User · Last name is missing on \d+ records at London Bridge Office \(the customer provides it\)/,
        });
        await reason.waitFor();
        await checkStep(page, `${dialect}-problems-${name}-6-refused`, true);
        await reason.click();
        await fix.getByRole('heading', { name: 'User · Last name is missing' }).waitFor();
        expect(new URL(page.url()).searchParams.get('group')).toBe(
          'missing|required|user|lastName|site-ldn',
        );
        expect(errors).toEqual([]);
        await page.close();
      },
      120_000,
    );
  },
);
