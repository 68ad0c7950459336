import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../src/test/database.js';
import {
  COMBINED,
  openCustomerSheetAcquisition,
  fillCombined,
} from '../../src/test/customer-sheet.js';
import { checkStep, openPage, signIn, startWebApp, type WebApp } from './support.js';

/** Clicks a button that downloads a file, and returns the file's bytes. */
async function download(page: Page, button: string): Promise<ArrayBuffer> {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: button }).click(),
  ]);
  return new Uint8Array(await readFile(await file.path())).buffer;
}

describe.each(dialects)('the combined users-and-handsets sheet in Chromium (%s)', (dialect) => {
  let app: WebApp;
  let acquisitionId: string;
  beforeAll(async () => {
    app = await startWebApp(dialect);
    acquisitionId = await openCustomerSheetAcquisition(app.server);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('combined template, filled in, imported with its report, fixed, imported again: no findings', async () => {
    const { page, errors } = await openPage(app, { width: 1440, height: 900 });
    await signIn(app, page, 'sales');
    await page.goto(`${app.url}/app/acquisitions/${acquisitionId}/import`);
    const template = await download(
      page,
      'Download the template with users and handsets on one sheet',
    );
    await page.getByLabel('Spreadsheet (XLSX or CSV)').setInputFiles({
      name: 'users-and-handsets.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: await fillCombined(template, true),
    });
    await page.getByRole('button', { name: 'Check the file' }).click();
    await page.getByText(/rows read from users-and-handsets\.xlsx; 2 with problems\./).waitFor();
    // Each column says which entity and field it fills; any can be sent to any entity's field.
    const mapping = page.locator('table.mapping', { hasText: COMBINED });
    await mapping.getByText('User and Handset: each row fills one of each').waitFor();
    const mac = mapping.getByLabel(/^Field for column \w+ \(MAC address \*\)$/);
    await expect.poll(() => mac.inputValue()).toBe('handset.mac');
    expect(await mac.locator('option', { hasText: 'User: Email' }).count()).toBe(1);
    const problemRows = page.locator('.row-findings tbody tr');
    await expect.poll(() => problemRows.count()).toBe(2);
    expect(await problemRows.nth(0).textContent()).toContain('MAC address');
    expect(await problemRows.nth(1).textContent()).toContain('isla.grant.harbourvale.example');
    await checkStep(page, `${dialect}-combined-review`, true);

    await page.getByRole('button', { name: 'Apply the import' }).click();
    await page.getByText(/^Applied: 0 created, 20 updated/).waitFor();
    const report = await download(page, 'Download the report (XLSX)');
    await checkStep(page, `${dialect}-combined-done`, true);

    // The customer fixes the two cells in the report and sends it back.
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(report);
    const sheet = workbook.getWorksheet(COMBINED)!;
    const header = (sheet.getRow(1).values as (string | undefined)[]).map((v) => v ?? '');
    sheet.getRow(4).getCell(header.indexOf('MAC address *')).value = '80:5E:C0:12:35:03';
    sheet.getRow(9).getCell(header.indexOf('Email (*)')).value = 'isla.grant@harbourvale.example';
    await page.getByRole('button', { name: 'Import another file' }).click();
    await page.getByLabel('Spreadsheet (XLSX or CSV)').setInputFiles({
      name: 'report-fixed.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: Buffer.from(await workbook.xlsx.writeBuffer()),
    });
    await page.getByRole('button', { name: 'Check the file' }).click();
    await page.getByText(/rows read from report-fixed\.xlsx; 0 with problems\./).waitFor();
    await page.getByRole('button', { name: 'Apply the import' }).click();
    await page.getByText(/^Applied: 0 created, .* 0 rows with problems\./).waitFor();

    const stored = (
      await app.server.app.inject({
        method: 'GET',
        url: `/api/v1/acquisitions/${acquisitionId}/findings?severity=blocking`,
        headers: app.server.auth('sales'),
      })
    ).json<{ items: { entity: string; field: string }[] }>();
    expect(stored.items.filter((f) => f.entity === 'user' || f.entity === 'handset')).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
