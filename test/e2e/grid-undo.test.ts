import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../src/test/database.js';
import { checkStep, openPage, signIn, startWebApp, type WebApp } from './support.js';

interface Stored {
  id: string;
  version: number;
  values: Record<string, unknown>;
}

// The desktop run edits the first rows, the phone run the three after them.
const viewports = [
  { name: 'desktop', viewport: { width: 1440, height: 900 }, first: 0 },
  { name: 'phone', viewport: { width: 390, height: 844 }, first: 3 },
];

/** Pastes text as a spreadsheet puts it on the clipboard, into the focused cell. */
async function paste(page: Page, text: string) {
  await page.evaluate(`(() => {
    const data = new DataTransfer();
    data.setData('text/plain', ${JSON.stringify(text)});
    document.activeElement.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
  })()`);
}

describe.each(dialects)('the grid as a spreadsheet people trust, in Chromium (%s)', (dialect) => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp(dialect);
  });
  afterAll(async () => {
    await app?.close();
  });

  const api = async <T>(method: 'GET' | 'POST', path: string, payload?: object) => {
    const response = await app.server.app.inject({
      method,
      url: `/api/v1/acquisitions/${app.demoId}${path}`,
      headers: app.server.auth('sales'),
      ...(payload ? { payload } : {}),
    });
    expect(response.statusCode, response.body).toBeLessThan(300);
    return response.json<T>();
  };
  const record = (id: string) => api<Stored>('GET', `/records/${id}`);

  it.each(viewports)(
    'on a $name: a paste over values asks first and is undone as a new version; a fill-down; missing answers counted',
    async ({ name, viewport, first }) => {
      const step = (what: string) => `${dialect}-grid-${name}-${what}`;
      const { page, errors } = await openPage(app, viewport);
      await signIn(app, page, 'sales');
      await page.goto(`${app.url}/app/acquisitions/${app.demoId}/data?entity=user`);
      const rows = page.locator('[role=row][data-record]');
      await rows.nth(first + 2).waitFor();
      const ids = await Promise.all(
        [0, 1, 2].map(async (i) => (await rows.nth(first + i).getAttribute('data-record'))!),
      );
      // Known names in the three rows, then the page read again.
      await api('POST', '/records/bulk', {
        records: [
          { id: ids[0], values: { firstName: 'Ann', lastName: 'Lee' } },
          { id: ids[1], values: { firstName: 'Bo', lastName: 'Ng' } },
          { id: ids[2], values: { firstName: 'Cy', lastName: 'Ode' } },
        ],
      });
      const setUp = await record(ids[0]!);
      await page.reload();
      await rows.nth(first + 2).waitFor();
      const cell = (row: number, field: string) =>
        rows.nth(first + row).locator(`[data-field=${field}]`);
      const message = page.locator('#grid-message');

      // A paste over four names: the grid says how many it replaces and asks first.
      await cell(0, 'firstName').click();
      await paste(page, 'Aisha\tOkafor\r\nTomasz\tNowak\r\n');
      const dialog = page.getByRole('alertdialog', { name: 'Replace values?' });
      await dialog.waitFor();
      expect(await dialog.textContent()).toContain(
        'changes 4 values that are not empty, in 2 rows',
      );
      await checkStep(page, step('1-paste-asks'), true);
      await dialog.getByRole('button', { name: 'Replace 4 values' }).click();
      await message.filter({ hasText: 'Pasted 2 rows.' }).waitFor();
      expect((await record(ids[0]!)).values).toMatchObject({
        firstName: 'Aisha',
        lastName: 'Okafor',
      });
      expect(await cell(1, 'lastName').textContent()).toBe('Nowak');

      // Undo writes the old names back as a new version; the history shows it.
      await page.getByRole('button', { name: 'Undo', exact: true }).click();
      await message.filter({ hasText: 'Undone: paste.' }).waitFor();
      const undone = await record(ids[0]!);
      expect(undone.values).toMatchObject({ firstName: 'Ann', lastName: 'Lee' });
      expect(undone.version).toBe(setUp.version + 2);
      expect((await record(ids[1]!)).values).toMatchObject({ firstName: 'Bo', lastName: 'Ng' });
      const history = await api<{
        items: { field: string; oldValue: unknown; newValue: unknown }[];
      }>('GET', `/records/${ids[0]}/history`);
      expect(history.items).toContainEqual(
        expect.objectContaining({ field: 'firstName', oldValue: 'Aisha', newValue: 'Ann' }),
      );
      expect(await cell(0, 'firstName').textContent()).toBe('Ann');
      await checkStep(page, step('2-undone'), true);

      // Redo from the keyboard, and undo again.
      await cell(0, 'firstName').click();
      await page.keyboard.press('Control+y');
      await message.filter({ hasText: 'Redone: paste.' }).waitFor();
      expect((await record(ids[1]!)).values).toMatchObject({ firstName: 'Tomasz' });
      await cell(0, 'firstName').click();
      await page.keyboard.press('Control+z');
      await message.filter({ hasText: 'Undone: paste.' }).waitFor();
      expect((await record(ids[1]!)).values).toMatchObject({ firstName: 'Bo' });

      // Fill-down: the top last name into the two cells below (they hold names: asked first).
      await cell(0, 'lastName').click();
      await page.keyboard.press('Shift+ArrowDown');
      await page.keyboard.press('Shift+ArrowDown');
      await expect.poll(() => page.locator('[aria-selected=true]').count()).toBe(3);
      await page.keyboard.press('Control+d');
      await page.getByRole('alertdialog').getByRole('button', { name: 'Replace 2 values' }).click();
      await message.filter({ hasText: 'Filled down 2 cells.' }).waitFor();
      for (const id of ids) expect((await record(id)).values.lastName).toBe('Lee');
      await checkStep(page, step('3-filled-down'), true);
      await page.getByRole('button', { name: 'Undo', exact: true }).click();
      await message.filter({ hasText: 'Undone: fill-down.' }).waitFor();
      expect((await record(ids[2]!)).values.lastName).toBe('Ode');

      // A required answer left empty is marked and counted among the rows with problems.
      const filter = page.getByLabel('Show');
      const count = async (value: string) => {
        const option = filter.locator(`option[value="${value}"]`);
        if ((await option.count()) === 0) return 0;
        return Number(/\((\d+)\)/.exec((await option.textContent()) ?? '')![1]);
      };
      const problems = () => count('field:lastName');
      const rowsWithProblems = await count('problems');
      const before = await problems();
      await cell(1, 'lastName').click();
      await page.keyboard.press('Delete');
      await page.keyboard.press('Enter');
      await expect.poll(problems).toBe(before + 1);
      expect(await cell(1, 'lastName').getAttribute('aria-invalid')).toBe('true');
      expect(await cell(1, 'lastName').textContent()).toContain('required, missing');
      expect(await count('problems')).toBeGreaterThanOrEqual(rowsWithProblems);

      // Filtered to problems in last names, the row stays in view once fixed, with the focus, until refreshed.
      await filter.selectOption('field:lastName');
      const row = page.locator(`[role=row][data-record="${ids[1]}"]`);
      const last = row.locator('[data-field=lastName]');
      await last.click();
      await checkStep(page, step('4-missing'), true);
      await page.keyboard.type('Ng');
      await page.keyboard.press('Tab');
      await expect.poll(problems).toBe(before);
      expect(await row.count()).toBe(1);
      await expect
        .poll(() =>
          page.evaluate('document.activeElement?.closest("[data-record]")?.dataset.record'),
        )
        .toBe(ids[1]);
      await page.getByRole('button', { name: /^Refresh filter/ }).click();
      await expect.poll(() => row.count()).toBe(0);
      await filter.selectOption('all');
      expect((await record(ids[1]!)).values.lastName).toBe('Ng');
      expect(errors).toEqual([]);
      await page.close();
    },
    120_000,
  );
});
