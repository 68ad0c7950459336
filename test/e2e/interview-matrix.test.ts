import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../src/test/database.js';
import { buildItem, buildProposal } from '../../src/test/factories.js';
import { openAcquisition } from '../../src/test/open-acquisition.js';
import { checkStep, openPage, signIn, startWebApp, type WebApp, VIEWPORTS } from './support.js';

const MATRIX = 'Voicemail for these 50 users at York Office';

describe.each(dialects)('the interview as a call script in Chromium (%s)', (dialect) => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp(dialect);
  });
  afterAll(async () => {
    await app?.close();
  });

  it.each(VIEWPORTS)(
    'a call answers voicemail for 50 users at once, with two exceptions ticked ($name)',
    async ({ name, width, height }) => {
      const id = await openAcquisition(
        app.server,
        buildProposal({ items: [buildItem({ quantity: 50 })] }),
      );
      const { page, errors } = await openPage(app, { width, height });
      await signIn(app, page, 'sales');
      await page.goto(`${app.url}/app/acquisitions/${id}/interview`);

      // The call first: whom we speak with at the customer.
      await page.getByLabel('Who at the customer are you speaking with?').fill('Priya Raman');
      await page.getByRole('button', { name: 'Start a call' }).click();
      await page.getByText('On a call with').waitFor();

      // Any questions before the users of York Office are skipped (Alt+K).
      const question = page.locator('#question-text');
      for (let i = 0; i < 40; i++) {
        const text = (await question.textContent()) ?? '';
        if (text === MATRIX) break;
        await page.keyboard.press('Alt+k');
        await expect.poll(async () => (await question.textContent()) ?? text).not.toBe(text);
      }
      expect(await question.textContent()).toBe(MATRIX);
      await expect(page.locator('.question__where').first().textContent()).resolves.toBe(
        'York Office · Users',
      );
      // Keyboard: the answer for all has the focus; Space picks "All yes".
      await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('answer');
      await checkStep(page, `${dialect}-interview-matrix-${name}`, true);
      await page.keyboard.press('Space');
      await page.getByLabel('User 4', { exact: true }).check();
      await page.getByLabel('User 18', { exact: true }).check();
      await checkStep(page, `${dialect}-interview-matrix-${name}-exceptions`, true);
      // Enter on the ticked checkbox saves the whole answer.
      await page.keyboard.press('Enter');
      await page.getByText('50 answered').waitFor();
      await expect.poll(async () => (await question.textContent()) ?? '').not.toBe(MATRIX);

      // The next is a select for all 50 (the quote sets no user type): Enter on it saves too.
      await expect
        .poll(async () => (await question.textContent()) ?? '')
        .toBe('User type for these 50 users at York Office');
      await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('answer');
      await page.locator('#answer').selectOption('standard');
      await page.locator('#answer').press('Enter');
      await page.getByText('100 answered').waitFor();

      await page.getByLabel('Call notes').fill('Reception and the warehouse have no voicemail.');
      await page.getByRole('button', { name: 'Save notes' }).click();
      await page.getByRole('button', { name: 'End call' }).click();
      const list = page.getByRole('list', { name: 'Calls so far' });
      await list.getByText('Reception and the warehouse have no voicemail.').waitFor();
      await list.getByText(/ended/).waitFor();
      await checkStep(page, `${dialect}-interview-matrix-${name}-call`, true);

      const headers = app.server.auth('sales');
      const users = (
        await app.server.app.inject({
          method: 'GET',
          url: `/api/v1/acquisitions/${id}/records?entity=user&limit=100`,
          headers,
        })
      ).json<{ items: { id: string; slot: string; values: Record<string, unknown> }[] }>().items;
      expect(users.filter((u) => u.values.voicemail === true)).toHaveLength(48);
      const no = users.filter((u) => u.values.voicemail === false);
      expect(
        no.map((u) => Number(u.slot.slice(u.slot.lastIndexOf('#') + 1))).sort((a, b) => a - b),
      ).toEqual([4, 18]);
      const history = (
        await app.server.app.inject({
          method: 'GET',
          url: `/api/v1/acquisitions/${id}/records/${no[0]!.id}/history`,
          headers,
        })
      ).json<{ items: { field: string; sourceDetail?: string }[] }>().items;
      expect(users.every((u) => u.values.userType === 'standard')).toBe(true);
      for (const field of ['voicemail', 'userType'])
        expect(history.find((e) => e.field === field)).toMatchObject({
          sourceDetail: expect.stringMatching(/^call .+ with Priya Raman$/) as string,
        });
      expect(errors).toEqual([]);
      await page.close();
    },
    // Two matrix answers of 50 records each, and axe three times: longer than the default.
    90_000,
  );
});
