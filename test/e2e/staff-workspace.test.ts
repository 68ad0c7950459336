import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../src/test/database.js';
import {
  checkStep,
  openPage,
  satisfiedAnswers,
  signIn,
  startWebApp,
  type WebApp,
} from './support.js';

// Five handsets for Leeds HQ as a customer would send them: MACs in three notations, and two
// rows that cannot be right (a letter that is not hexadecimal, and an address one octet short).
const HANDSET_SHEET = [
  'MAC address,Model,Site',
  '00:15:65:A1:10:01,Yealink T54W,leeds-hq',
  '00-15-65-A1-10-02,Yealink T54W,leeds-hq',
  '00:15:65:ZZ:10:03,Yealink T54W,leeds-hq',
  '0015.65a1.1004,Yealink T54W,leeds-hq',
  '00:15:65:A1:10,Yealink T54W,leeds-hq',
].join('\r\n');

describe.each(dialects)('the staff workspace in Chromium (%s)', (dialect) => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp(dialect);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('signs in, opens the demo acquisition, answers three interview questions and completeness rises', async () => {
    const { page, errors } = await openPage(app);
    await page.goto(`${app.url}/app`);
    await checkStep(page, `${dialect}-1-sign-in`, true);
    await signIn(app, page, 'sales');
    await page.getByRole('link', { name: 'Harbour & Vale Logistics Ltd' }).waitFor();
    await checkStep(page, `${dialect}-1-list`, true);

    await page.getByRole('link', { name: 'Harbour & Vale Logistics Ltd' }).click();
    await page.getByRole('heading', { name: 'What the proposal needs' }).waitFor();
    await checkStep(page, `${dialect}-1-acquisition`, true);
    const before = await satisfiedAnswers(page);
    const barBefore = Number(
      await page
        .getByRole('progressbar', { name: 'Completeness of the acquisition' })
        .getAttribute('aria-valuenow'),
    );

    // Submitting now is refused, and the page says why, each reason a link to its field.
    await page.getByRole('button', { name: 'Submit for review' }).click();
    const refusal = page.locator('.alert--error');
    await refusal.waitFor();
    expect(await refusal.locator('li').count()).toBeGreaterThan(10);
    await checkStep(page, `${dialect}-1-submit-refused`, true);

    await page.getByRole('link', { name: 'Interview' }).click();
    const answers: Record<string, string> = {
      'Which time zone does the site work in?': 'Europe/London',
      'Who should our engineers ask for when they arrive at this site?': 'Priya Raman',
      // A national number: Intake stores it as +441134960123.
      "What is the site contact's phone number?": '0113 496 0123',
    };
    let previous = '';
    for (let i = 0; i < 3; i++) {
      const question = page.locator('#question-text');
      await expect.poll(async () => (await question.textContent()) ?? previous).not.toBe(previous);
      const text = (await question.textContent()) ?? '';
      previous = text;
      const answer = answers[text];
      expect(answer, `an answer for "${text}"`).toBeDefined();
      // Keyboard-first: the answer has the focus, Enter saves.
      await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('answer');
      await page.keyboard.type(answer!);
      if (i === 0) await checkStep(page, `${dialect}-1-interview`, true);
      await page.keyboard.press('Enter');
      await page
        .getByText(`${i + 1} answered`)
        .waitFor()
        .catch(async (error: unknown) => {
          await checkStep(page, `${dialect}-1-interview-failed-${i + 1}`);
          throw error;
        });
    }
    await checkStep(page, `${dialect}-1-interview-after-three`);

    // The fourth the customer will answer later: Alt+F, a date, who, and a note.
    const fourth = (await page.locator('#question-text').textContent()) ?? '';
    await page.keyboard.press('Alt+f');
    await page.getByLabel('By when').fill('2026-12-04');
    await page.getByLabel('Who will answer').fill('Priya Raman');
    await page.getByLabel('Note (optional)').fill('Checking with the building manager');
    await page.getByRole('button', { name: 'Record the follow-up' }).click();
    await page.getByText('4 answered').waitFor();
    const followUps = (
      await app.server.app.inject({
        method: 'GET',
        url: `/api/v1/acquisitions/${app.demoId}/follow-ups`,
        headers: app.server.auth('sales'),
      })
    ).json<{ items: { dueDate: string; contact: string; note: string }[] }>().items;
    expect(followUps).toEqual([
      expect.objectContaining({
        dueDate: '2026-12-04',
        contact: 'Priya Raman',
        note: 'Checking with the building manager',
      }),
    ]);
    expect(await page.locator('#question-text').textContent()).not.toBe(fourth);
    await expect.poll(() => satisfiedAnswers(page)).toBe(before + 3);
    const barAfter = Number(
      await page
        .getByRole('progressbar', { name: 'Completeness of the acquisition' })
        .getAttribute('aria-valuenow'),
    );
    expect(barAfter).toBeGreaterThan(barBefore);

    // The answers are stored as the server normalises them.
    const site = (
      await app.server.app.inject({
        method: 'GET',
        url: `/api/v1/acquisitions/${app.demoId}/records?entity=site&site=leeds-hq`,
        headers: app.server.auth('sales'),
      })
    ).json<{ items: { values: Record<string, unknown> }[] }>().items[0]!;
    expect(site.values).toMatchObject({
      timeZone: 'Europe/London',
      contactName: 'Priya Raman',
      contactPhone: '+441134960123',
    });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('imports a handset sheet with two bad rows, fixes one in the grid, and its finding vanishes', async () => {
    const { page, errors } = await openPage(app);
    await signIn(app, page, 'sales');
    await page.goto(`${app.url}/app/acquisitions/${app.demoId}/import`);
    await page.getByLabel('Spreadsheet (XLSX or CSV)').setInputFiles({
      name: 'leeds-handsets.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(HANDSET_SHEET, 'utf8'),
    });
    await checkStep(page, `${dialect}-2-import-choose`, true);
    await page.getByRole('button', { name: 'Check the file' }).click();
    await page.getByText('5 rows read from leeds-handsets.csv; 2 with problems.').waitFor();
    // The mapping as Intake made it, with a choice per column, and the problems by row.
    await expect
      .poll(() => page.getByLabel('Field for column A (MAC address)').inputValue())
      .toBe('mac');
    const problemRows = page.locator('.row-findings tbody tr');
    await expect.poll(() => problemRows.count()).toBe(2);
    expect(await problemRows.nth(0).locator('td').nth(1).textContent()).toBe('4');
    expect(await problemRows.nth(1).locator('td').nth(1).textContent()).toBe('6');
    await checkStep(page, `${dialect}-2-import-review`, true);

    await page.getByLabel('Import every row; rows with problems are kept as drafts to fix').check();
    await page.getByRole('button', { name: 'Apply the import' }).click();
    await page.getByText(/^Applied: 0 created, 5 updated/).waitFor();
    await page.getByRole('button', { name: 'Download the report (XLSX)' }).waitFor();
    await checkStep(page, `${dialect}-2-import-done`, true);

    // On the overview, a problem group is a link to its records, the cursor at its field.
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.locator('.group--problem a', { hasText: 'MAC address' }).first().click();
    await page.waitForURL(/\/data\?entity=handset&/);
    await expect
      .poll(() => page.evaluate('document.activeElement?.dataset?.field'), { timeout: 5000 })
      .toBe('mac');
    await checkStep(page, `${dialect}-2-finding-opened`);

    await page.goto(`${app.url}/app/acquisitions/${app.demoId}/data?entity=handset`);
    const filter = page.getByLabel('Show');
    const rows = page.locator('[role=row][data-record]');
    await rows.first().waitFor();
    // Every page of records in first: the filter's counts are of the records loaded so far.
    await page.waitForFunction(
      () => performance.getEntriesByName('intake:records-loaded').length > 0,
    );
    // Problems in MAC addresses: the two the import could not read, and the handsets still without one.
    const macProblems = async () =>
      Number(
        /\((\d+)\)/.exec(
          (await filter.locator('option[value="field:mac"]').textContent()) ?? '',
        )![1],
      );
    const start = await macProblems();
    await filter.selectOption('field:mac');
    const bad = rows.filter({ hasText: '00:15:65:ZZ:10:03' });
    await bad.waitFor();
    expect(await bad.locator('[data-field=mac]').textContent()).toContain('problem:');
    await checkStep(page, `${dialect}-2-grid-two-problems`, true);

    const id = await bad.getAttribute('data-record');
    await bad.locator('[data-field=mac]').click();
    await page.keyboard.press('Enter');
    const editor = page.getByRole('textbox', { name: /^MAC address, row \d+$/ });
    await editor.fill('00:15:65:A1:10:0');
    // Checked in the browser with the server's rules before anything is saved.
    await page.locator('#grid-message.error').waitFor();
    await editor.fill('00:15:65:A1:10:03');
    await page.keyboard.press('Enter');
    await expect.poll(macProblems).toBe(start - 1);
    // The fixed row stays in view (and where it was) until the filter is refreshed.
    const fixed = page.locator(`[role=row][data-record="${id}"]`);
    expect(await fixed.locator('[data-field=mac]').textContent()).toContain('00:15:65:A1:10');
    await checkStep(page, `${dialect}-2-grid-one-problem`);
    // The row's history: its MAC came from the import.
    await fixed.locator('[data-field=mac]').click();
    await page.getByRole('button', { name: /^History of row \d+$/ }).click();
    const history = page.locator('table.history');
    await history.waitFor();
    expect(await history.locator('tr', { hasText: 'MAC address' }).first().textContent()).toContain(
      'import',
    );
    await page.getByRole('button', { name: /^Refresh filter/ }).click();
    await expect.poll(() => fixed.count()).toBe(0);

    const stored = (
      await app.server.app.inject({
        method: 'GET',
        url: `/api/v1/acquisitions/${app.demoId}/records?entity=handset&severity=blocking`,
        headers: app.server.auth('sales'),
      })
    ).json<{ total: number; items: { values: { mac: string } }[] }>();
    expect(stored.total).toBe(1);
    expect(stored.items[0]!.values.mac).toBe('00:15:65:A1:10');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('pastes a block of cells from a spreadsheet into the grid, adds a row above the plan (kept, flagged) and deletes one', async () => {
    const { page, errors } = await openPage(app);
    await signIn(app, page, 'sales');
    await page.goto(`${app.url}/app/acquisitions/${app.demoId}/data?entity=user`);
    const rows = page.locator('[role=row][data-record]');
    await rows.first().waitFor();
    const firstName = rows.first().locator('[data-field=firstName]');
    await firstName.click();
    // Two rows of first and last names, as Excel puts them on the clipboard.
    const block = 'Aisha\tOkafor\r\nTomasz\tNowak\r\n';
    await page.evaluate(`(() => {
      const data = new DataTransfer();
      data.setData('text/plain', ${JSON.stringify(block)});
      document.activeElement.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
    })()`);
    await page.locator('#grid-message', { hasText: 'Pasted 2 rows.' }).waitFor();
    expect(await rows.nth(0).locator('[data-field=firstName]').textContent()).toBe('Aisha');
    expect(await rows.nth(1).locator('[data-field=lastName]').textContent()).toBe('Nowak');
    await checkStep(page, `${dialect}-5-grid-pasted`, true);

    const count = async () =>
      (
        await app.server.app.inject({
          method: 'GET',
          url: `/api/v1/acquisitions/${app.demoId}/records?entity=user&limit=1`,
          headers: app.server.auth('sales'),
        })
      ).json<{ total: number }>().total;
    const before = await count();
    // The demo has every user the proposal allows: a row more is kept above the plan, and
    // blocks submission until it is sorted out.
    await page.getByRole('button', { name: 'Add row' }).click();
    await page.locator('#grid-message', { hasText: `Row ${before + 1} added.` }).waitFor();
    expect(await count()).toBe(before + 1);
    const above = (
      await app.server.app.inject({
        method: 'GET',
        url: `/api/v1/acquisitions/${app.demoId}/findings?entity=user&severity=blocking`,
        headers: app.server.auth('sales'),
      })
    ).json<{ items: { rule: string }[] }>();
    expect(above.items.map((f) => f.rule)).toContain('count.above');
    // Deleting a row takes it back to the plan.
    await page
      .getByRole('button', { name: /^Delete row \d+$/ })
      .first()
      .click();
    const confirm = page.getByRole('alertdialog', { name: /^Delete row \d+\?$/ });
    await confirm.waitFor();
    await checkStep(page, `${dialect}-5-grid-delete-asks`, true);
    await confirm.getByRole('button', { name: /^Delete row \d+$/ }).click();
    await page.locator('#grid-message', { hasText: /Row \d+ deleted\./ }).waitFor();
    expect(await count()).toBe(before);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('a duplicate typed into one row marks the other row too, and clearing it clears both', async () => {
    const { page, errors } = await openPage(app);
    await signIn(app, page, 'sales');
    await page.goto(`${app.url}/app/acquisitions/${app.demoId}/data?entity=handset`);
    const rows = page.locator('[role=row][data-record]');
    await rows.first().waitFor();
    const mac = (row: number) => rows.nth(row).locator('[data-field=mac]');

    // Two rows the import left empty (a required answer missing): give the second the first's MAC.
    expect(await mac(5).textContent()).toContain('required, missing');
    const edit = async (row: number, value: string) => {
      await mac(row).click();
      await page.keyboard.press('Enter');
      await page.getByLabel(`MAC address, row ${row + 1}`).fill(value);
      await page.keyboard.press('Enter');
    };
    await edit(5, '00:15:65:B2:20:01');
    await edit(6, '00-15-65-b2-20-01');
    await expect.poll(async () => (await mac(5).textContent()) ?? '').toContain('problem:');
    expect(await mac(6).textContent()).toContain('problem:');
    expect(await mac(5).getAttribute('aria-invalid')).toBe('true');
    await checkStep(page, `${dialect}-6-grid-duplicate`, true);

    await mac(6).click();
    await page.keyboard.press('Delete');
    await page.keyboard.press('Enter');
    await expect.poll(() => mac(5).getAttribute('aria-invalid'), { timeout: 5000 }).toBeNull();
    expect(await mac(6).textContent()).toContain('required, missing');
    expect(errors).toEqual([]);
    await page.close();
  });
});
