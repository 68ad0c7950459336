import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../test/database.js';
import {
  CUSTOMER_SHEET_PLANTED,
  CUSTOMER_SHEET_ROWS,
  customerSheetCells,
  openCustomerSheetAcquisition,
} from '../test/customer-sheet.js';
import { listen, upload } from '../test/http-client.js';
import { createTestServer, type TestServer } from '../test/server.js';
import type { ImportJobView } from './import-repository.js';

interface RecordBody {
  id: string;
  slot: string | null;
  site: string | null;
  values: Record<string, unknown>;
}

async function xlsxOf(rows: string[][]): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Phones');
  for (const row of rows) sheet.addRow(row);
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

describe.each(dialects)("a customer's own handset list on %s", (dialect) => {
  let server: TestServer;
  let base: string;
  let acquisitionId: string;
  let job: ImportJobView;
  const sales = () => server.auth('sales');
  const url = (path = '') => `${base}/api/v1/acquisitions/${acquisitionId}${path}`;
  const records = async (entity: string) =>
    (
      (await fetch(url(`/records?entity=${entity}&limit=200`), { headers: sales() }).then((r) =>
        r.json(),
      )) as { items: RecordBody[] }
    ).items;

  beforeAll(async () => {
    server = await createTestServer(dialect);
    base = await listen(server);
    acquisitionId = await openCustomerSheetAcquisition(server);
    const response = await upload(
      url('/imports'),
      { bytes: await xlsxOf(customerSheetCells()), name: 'Phones for Intake FINAL v3.xlsx' },
      sales(),
    );
    expect(response.status).toBe(201);
    job = (await response.json()) as ImportJobView;
  });
  afterAll(() => server.close());

  it('reads the sheet as users and handsets, below its title block', () => {
    expect(job.sheets).toHaveLength(1);
    const sheet = job.sheets[0]!;
    expect(sheet).toMatchObject({ rowGroup: 'users-and-handsets', headerRow: 3 });
    expect(sheet.entities).toEqual(['user', 'handset']);
    expect(sheet.columns.map((c) => `${c.column}:${c.entity}.${c.field}`)).toEqual([
      'A:user.extension',
      'B:user.firstName',
      'C:user.lastName',
      'D:user.email',
      'E:user.directNumber',
      'F:handset.mac',
      'G:handset.model',
      'H:user.site',
      'I:null.null',
    ]);
    // Nothing dropped unseen: the notes column is listed with the values it held.
    expect(sheet.ignored).toEqual([{ column: 'I', header: 'Notes', nonEmpty: 4 }]);
    expect(job).toMatchObject({ rowsRead: 10, created: 2, updated: 18 });
  });

  it('reports exactly the planted rows, each at its own cell', () => {
    const blocking = job.findings
      .filter((f) => f.severity === 'blocking')
      .map((f) => ({ row: f.row, column: f.column, entity: f.entity, rule: f.rule }));
    expect(blocking).toEqual(CUSTOMER_SHEET_PLANTED);
    expect(job.findings.filter((f) => f.severity === 'warning')).toEqual([]);
    expect(job.invalid).toBe(5);
    const mac = job.findings.find((f) => f.row === 14)!;
    expect(mac).toMatchObject({ header: 'MAC Addr', value: '80:5E:C0:12:34', field: 'mac' });
  });

  it('fills both entities and links each handset to the user and site of its row', async () => {
    const users = await records('user');
    const handsets = await records('handset');
    for (const [row, cells] of Object.entries(CUSTOMER_SHEET_ROWS)) {
      const [ext, , , , , , model, location] = cells;
      const site = location === 'London HQ' ? 'site-lon' : 'site-man';
      const user = users.find((u) => u.values.lastName === cells[2]);
      // The site written by name is stored as the reference to it.
      expect(user, `row ${row}`).toMatchObject({ site, values: { extension: ext, site } });
      const handset = handsets.find(
        (h) =>
          h.values.model === model &&
          h.values.assignedUser === ext &&
          h.site === site &&
          h.values.site === site,
      );
      expect(handset, `row ${row}`).toBeDefined();
    }
    // Mixed notations stored one way.
    expect(users.find((u) => u.values.lastName === "O'Neill")?.values.directNumber).toBe(
      '+442079460102',
    );
    expect(handsets.filter((h) => h.values.mac === '80:5E:C0:12:34:02')).toHaveLength(1);
  });

  it("moves no seat between sites: London's sixth user is above the plan there, Manchester keeps its free seat", async () => {
    const users = await records('user');
    const at = (site: string) =>
      users.filter((u) => u.site === site && Object.keys(u.values).length > 2);
    expect(at('site-lon')).toHaveLength(6);
    expect(at('site-man')).toHaveLength(4);
    // No London user sits in a Manchester slot.
    expect(users.filter((u) => u.site === 'site-lon' && u.slot?.includes('site-man'))).toEqual([]);
    expect(users.find((u) => u.values.lastName === 'Murphy')?.slot).toBeNull();
    const sheet = job.sheets[0]!;
    expect(sheet.seats).toEqual(
      expect.arrayContaining([
        { entity: 'user', site: 'site-lon', siteName: 'London HQ', expected: 5, received: 6 },
        { entity: 'user', site: 'site-man', siteName: 'Manchester', expected: 5, received: 5 },
      ]),
    );
    const findings = (
      (await fetch(url('/findings?severity=blocking'), { headers: sales() }).then((r) =>
        r.json(),
      )) as { items: { rule: string; message: string }[] }
    ).items;
    const above = findings.filter((f) => f.rule === 'count.above-site');
    expect(above.map((f) => f.message)).toEqual([
      'London HQ has 6 user records but the quote has 5 there. Move the extra ones to a site with free seats, remove them, or amend the quote.',
      'London HQ has 6 handset records but the quote has 5 there. Move the extra ones to a site with free seats, remove them, or amend the quote.',
    ]);
  });

  it('warns when a column it did not import holds values of a known format, naming the likely field', async () => {
    const csv = [
      'Ext.,First Name,Surname,Location,Device ID,Comments',
      '2001,Aisha,Khan,London HQ,80:5E:C0:12:34:01,desk by the window',
      '2002,Ben,Lee,London HQ,805e.c012.3402,',
      '2003,Chloé,Dubois,London HQ,80-5E-C0-12-34-03,',
    ].join('\n');
    const response = await upload(
      url('/imports?mode=validate'),
      { bytes: new TextEncoder().encode(csv), name: 'staff.csv' },
      sales(),
    );
    const dry = (await response.json()) as ImportJobView;
    expect(dry.sheets[0]).toMatchObject({ entity: 'user' });
    expect(dry.sheets[0]!.ignored).toEqual([
      {
        column: 'E',
        header: 'Device ID',
        nonEmpty: 3,
        looksLike: {
          format: 'mac',
          name: 'MAC addresses',
          field: 'handset.mac',
          label: 'Handset MAC address',
        },
      },
      { column: 'F', header: 'Comments', nonEmpty: 1 },
    ]);
    expect(dry.findings.filter((f) => f.rule === 'import.column-ignored')).toEqual([
      expect.objectContaining({
        row: 1,
        column: 'E',
        severity: 'warning',
        message:
          'Column E "Device ID" was not imported, but its 3 values look like MAC addresses: map it to Handset MAC address (handset.mac) to import them.',
      }),
    ]);
    // The report says so above the header.
    const report = await fetch(`${base}${dry.links.reportCsv!}`, { headers: sales() });
    expect((await report.text()).split('\n')[0]).toBe(
      '"Intake did not import these columns: E ""Device ID"" (3 values, MAC addresses), F ""Comments"" (1 value)"',
    );
  });
});
