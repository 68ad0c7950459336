import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/main.js';
import { dialects } from '../test/database.js';
import {
  answers,
  COMBINED,
  openCustomerSheetAcquisition,
  fillCombined,
} from '../test/customer-sheet.js';
import { listen, upload } from '../test/http-client.js';
import { createTestServer, type TestServer } from '../test/server.js';
import type { ImportJobView } from './import-repository.js';

describe.each(dialects)('the combined users-and-handsets sheet, round trip, on %s', (dialect) => {
  let server: TestServer;
  let base: string;
  let acquisitionId: string;
  const sales = () => server.auth('sales');
  const url = (path = '') => `${base}/api/v1/acquisitions/${acquisitionId}${path}`;
  const importFile = async (bytes: Uint8Array, name: string) => {
    const response = await upload(url('/imports'), { bytes, name }, sales());
    expect(response.status).toBe(201);
    return (await response.json()) as ImportJobView;
  };

  beforeAll(async () => {
    server = await createTestServer(dialect);
    base = await listen(server);
    acquisitionId = await openCustomerSheetAcquisition(server);
  });
  afterAll(() => server.close());

  it('template, fill in, import with its report, fix the report, import again: no findings left', async () => {
    const template = await (
      await fetch(url('/template?layout=combined'), { headers: sales() })
    ).arrayBuffer();
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(template);
    // One sheet instead of Users and Handsets: a user and their handset per row, the handset's
    // site and user coming from the row.
    expect(workbook.worksheets.map((w) => w.name)).toContain(COMBINED);
    expect(workbook.worksheets.map((w) => w.name)).not.toContain('Handsets');
    const header = (
      workbook.getWorksheet(COMBINED)!.getRow(1).values as (string | undefined)[]
    ).map((v) => v ?? '');
    expect(header).toContain('Intake ID (User)');
    expect(header).toContain('Intake ID (Handset)');
    expect(header.filter((h) => h === 'Site *')).toHaveLength(1);
    expect(header).not.toContain('Assigned user (extension) (*)');
    expect(workbook.getWorksheet(COMBINED)!.rowCount).toBe(11);

    const first = await importFile(await fillCombined(template, true), 'filled.xlsx');
    // The other sheets come back as they went out: their rows change nothing.
    expect(first).toMatchObject({ created: 0, updated: 20, invalid: 2 });
    expect(first.sheets[0]).toMatchObject({ rowGroup: 'users-and-handsets' });
    const blocking = first.findings.filter((f) => f.severity === 'blocking');
    expect(blocking.map((f) => [f.row, f.column, f.entity, f.field])).toEqual([
      [
        4,
        first.sheets[0]!.columns.find((c) => c.entity === 'handset' && c.field === 'mac')!.column,
        'handset',
        'mac',
      ],
      [
        9,
        first.sheets[0]!.columns.find((c) => c.entity === 'user' && c.field === 'email')!.column,
        'user',
        'email',
      ],
    ]);

    // The report is the customer's sheet with a Problems column: fix the two cells in it.
    const report = await (
      await fetch(`${base}${first.links.reportXlsx!}`, { headers: sales() })
    ).arrayBuffer();
    const fixed = new ExcelJS.Workbook();
    await fixed.xlsx.load(report);
    const sheet = fixed.getWorksheet(COMBINED)!;
    const reportHeader = (sheet.getRow(1).values as (string | undefined)[]).map((v) => v ?? '');
    const problems = reportHeader.indexOf('Problems');
    expect(sheet.getRow(4).getCell(problems).text).toMatch(/Handset: MAC address/);
    sheet.getRow(4).getCell(reportHeader.indexOf('MAC address *')).value = '80:5E:C0:12:35:03';
    sheet.getRow(9).getCell(reportHeader.indexOf('Email (*)')).value =
      'isla.grant@harbourvale.example';
    const second = await importFile(
      new Uint8Array(await fixed.xlsx.writeBuffer()),
      'report-fixed.xlsx',
    );
    expect(second).toMatchObject({ created: 0, invalid: 0 });
    expect(second.findings.filter((f) => f.row === 4 || f.row === 9)).toEqual([]);

    // Each handset belongs to its row's user and site.
    const handsets = (
      (await fetch(url('/records?entity=handset&limit=50'), { headers: sales() }).then((r) =>
        r.json(),
      )) as { items: { site: string; values: Record<string, unknown> }[] }
    ).items;
    expect(
      handsets
        .map((h) => [h.values.assignedUser, h.site])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual(
      Array.from({ length: 10 }, (_, i) => [
        answers(i)['Extension *'],
        i < 5 ? 'site-lon' : 'site-man',
      ]),
    );
  });

  it('the command line does the same: combined template out, filled file in, report back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'intake-cli-combined-'));
    const lines: string[] = [];
    const out = { log: (s: string) => lines.push(s), error: (s: string) => lines.push(`ERR ${s}`) };
    const remote = ['--url', base, '--token', server.tokens.sales];
    const templateFile = join(dir, 'template.xlsx');
    expect(
      await runCli(
        ['template', acquisitionId, '--layout', 'combined', '--out', templateFile, ...remote],
        out,
      ),
    ).toBe(0);
    const filled = join(dir, 'filled.xlsx');
    writeFileSync(
      filled,
      await fillCombined(new Uint8Array(readFileSync(templateFile)).buffer, true),
    );
    const report = join(dir, 'report.csv');
    const code = await runCli(
      ['import', acquisitionId, filled, '--report', report, ...remote],
      out,
    );
    expect(code).toBe(3);
    expect(lines.join('\n')).toMatch(/Users and handsets: user \+ handset, header on row 1/);
    expect(lines.join('\n')).toMatch(/row 4 column \w+: .*MAC/);
    const csv = readFileSync(report, 'utf8');
    expect(csv).toMatch(/Problems/);
    expect(csv).toMatch(/Intake ID \(Handset\)/);
    // Fixed and sent back as CSV: the same rows, no findings.
    const fixedCsv = csv
      .replace('80:5E:C0:12:35,', '80:5E:C0:12:35:03,')
      .replace('isla.grant.harbourvale.example', 'isla.grant@harbourvale.example');
    const fixedFile = join(dir, 'fixed.csv');
    writeFileSync(fixedFile, fixedCsv);
    lines.length = 0;
    expect(await runCli(['import', acquisitionId, fixedFile, ...remote], out)).toBe(0);
    expect(lines.join('\n')).toMatch(/10 rows read: 0 created, .* 0 invalid\. Stored\./);
  });
});
