import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/main.js';
import { dialects } from '../test/database.js';
import { buildItem, buildProposal } from '../test/factories.js';
import { listen, upload } from '../test/http-client.js';
import { openAcquisition } from '../test/open-acquisition.js';
import { createTestServer, type TestServer } from '../test/server.js';

const fixture = (name: string) =>
  new URL(`../../test/fixtures/imports/${name}`, import.meta.url).pathname;

/** A handset sheet of `rows` rows with distinct MACs. */
function handsetCsv(rows: number, extra = ''): Uint8Array {
  const lines = ['MAC Address,Site,Hot desk host'];
  for (let i = 0; i < rows; i++) {
    const hex = (0x805ec0100000 + i).toString(16).padStart(12, '0');
    lines.push(`${hex},York Office,yes${extra}`);
  }
  return new TextEncoder().encode(`${lines.join('\n')}\n`);
}

describe.each(dialects)('import jobs on %s', (dialect) => {
  let server: TestServer;
  let base: string;
  let acquisitionId: string;
  let linkToken: string;
  const sales = () => server.auth('sales');
  const url = (path = '') => `${base}/api/v1/acquisitions/${acquisitionId}${path}`;

  beforeAll(async () => {
    server = await createTestServer(dialect, undefined, {
      maxRows: 3000,
      maxColumns: 12,
      maxCellLength: 200,
    });
    base = await listen(server);
    const created = await server.app.inject({
      method: 'POST',
      url: '/api/v1/acquisitions',
      headers: sales(),
      payload: buildProposal({
        items: [
          buildItem({
            quantity: 10,
            characteristics: { features: ['hotDesking'], handsetModel: 'Yealink T54W' },
          }),
        ],
      }),
    });
    acquisitionId = created.json<{ id: string }>().id;
    const link = await server.app.inject({
      method: 'POST',
      url: `/api/v1/acquisitions/${acquisitionId}/links`,
      headers: sales(),
      payload: { contactName: 'Priya Nair', contactEmail: 'priya.nair@fenwick.example' },
    });
    expect(link.statusCode).toBe(201);
    linkToken = link.json<{ token: string }>().token;
  });
  afterAll(() => server.close());

  it('answers 202 at once with Prefer: respond-async, and streams progress then done as server-sent events', async () => {
    const response = await upload(
      url('/imports'),
      { bytes: handsetCsv(2500), name: 'handsets.csv' },
      { ...sales(), prefer: 'respond-async' },
    );
    expect(response.status).toBe(202);
    const job = (await response.json()) as { id: string; status: string };
    expect(response.headers.get('location')).toBe(
      `/api/v1/acquisitions/${acquisitionId}/imports/${job.id}`,
    );
    const events = await fetch(url(`/imports/${job.id}/events`), { headers: sales() });
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    const text = await events.text();
    const names = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(names.at(-1)).toBe('done');
    const done = JSON.parse(/event: done\ndata: (.*)\n/.exec(text)![1]!) as {
      status: string;
      rowsRead: number;
    };
    expect(done).toMatchObject({ status: 'completed', rowsRead: 2500 });
    const polled = await (await fetch(url(`/imports/${job.id}`), { headers: sales() })).json();
    // The plan has 10 handsets: the rows fill them, 10 more are kept above the plan (blocking),
    // and the 2,480 past that ceiling are row errors.
    expect(polled).toMatchObject({
      status: 'completed',
      rowsRead: 2500,
      updated: 10,
      created: 10,
      invalid: 2490,
    });
  });

  it('refuses more rows than the limit with 413 and stores nothing', async () => {
    const before = await server.database.db
      .selectFrom('records')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const response = await upload(
      url('/imports'),
      { bytes: handsetCsv(3001), name: 'too-many.csv' },
      sales(),
    );
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: 'import.too-many-rows' });
    const after = await server.database.db
      .selectFrom('records')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('refuses a row with too many columns, and a cell that is too long, naming where', async () => {
    const wide = new TextEncoder().encode(
      `MAC Address,Site\n805ec0200001,York Office${',x'.repeat(12)}\n`,
    );
    const columns = await upload(url('/imports'), { bytes: wide, name: 'wide.csv' }, sales());
    expect(columns.status).toBe(422);
    const tooWide = (await columns.json()) as { code: string; detail: string };
    expect(tooWide.code).toBe('import.too-many-columns');
    expect(tooWide.detail).toContain('Row 2');
    const long = new TextEncoder().encode(`MAC Address,Site\n805ec0200001,${'Y'.repeat(201)}\n`);
    const cell = await upload(url('/imports'), { bytes: long, name: 'long.csv' }, sales());
    expect(cell.status).toBe(422);
    expect(await cell.json()).toMatchObject({
      code: 'import.cell-too-long',
      row: 2,
      column: 'B',
    });
  });

  it('names the problem when no header or no entity can be found', async () => {
    const noHeader = await upload(
      url('/imports'),
      { bytes: new TextEncoder().encode('a,b,c\n1,2,3\n'), name: 'x.csv' },
      sales(),
    );
    expect(noHeader.status).toBe(422);
    expect(await noHeader.json()).toMatchObject({ code: 'import.entity-unknown' });
    const badMapping = await upload(
      url('/imports'),
      { path: fixture('handsets-three-mac-notations.csv') },
      sales(),
      { mapping: JSON.stringify({ Notes: 'colour' }) },
    );
    expect(badMapping.status).toBe(422);
    const refused = (await badMapping.json()) as { code: string; errors: { detail: string }[] };
    expect(refused.code).toBe('import.mapping-invalid');
    expect(refused.errors.map((e) => e.detail)).toEqual([
      '"handsets-three-mac-notations" column D: handset has no field "colour"',
    ]);
  });

  it("gives a customer link a template of the customer's columns only, and imports only into them", async () => {
    const link = { authorization: `Bearer ${linkToken}` };
    const template = await fetch(url('/template'), { headers: link });
    expect(template.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await template.arrayBuffer());
    const header = (workbook.getWorksheet('Handsets')!.getRow(1).values as string[]).slice(1);
    expect(header).toContain('MAC address *');
    expect(header).not.toContain('Model *');
    // A sales-owned column is not mapped for a link, even when named exactly.
    const response = await upload(
      url('/imports'),
      {
        bytes: new TextEncoder().encode('MAC address,Model\n805ec0300001,Cisco 8851\n'),
        name: 'mine.csv',
      },
      link,
      { mode: 'validate', entity: 'handset' },
    );
    expect(response.status).toBe(201);
    const job = (await response.json()) as {
      sheets: { columns: { header: string; field: string | null }[] }[];
    };
    expect(job.sheets[0]!.columns.find((c) => c.header === 'Model')!.field).toBeNull();
    const forced = await upload(
      url('/imports'),
      {
        bytes: new TextEncoder().encode('MAC address,Model\n805ec0300001,Cisco 8851\n'),
        name: 'm.csv',
      },
      link,
      { mapping: JSON.stringify({ Model: 'model' }), entity: 'handset' },
    );
    expect(forced.status).toBe(422);
    expect(await forced.json()).toMatchObject({ code: 'import.mapping-invalid' });
  });

  it('a link cannot import into, or read the imports of, another acquisition', async () => {
    const other = await server.app.inject({
      method: 'POST',
      url: '/api/v1/acquisitions',
      headers: sales(),
      payload: buildProposal(),
    });
    const otherId = other.json<{ id: string }>().id;
    const link = { authorization: `Bearer ${linkToken}` };
    const response = await upload(
      `${base}/api/v1/acquisitions/${otherId}/imports`,
      { bytes: handsetCsv(1), name: 'x.csv' },
      link,
    );
    expect(response.status).toBe(404);
    const list = await fetch(`${base}/api/v1/acquisitions/${otherId}/imports`, { headers: link });
    expect(list.status).toBe(404);
  });

  it('refuses an import into an acquisition that is no longer collecting, and stores no job', async () => {
    const other = await server.app.inject({
      method: 'POST',
      url: '/api/v1/acquisitions',
      headers: sales(),
      payload: buildProposal(),
    });
    const otherId = other.json<{ id: string }>().id;
    await server.app.inject({
      method: 'POST',
      url: `/api/v1/acquisitions/${otherId}/cancel`,
      headers: sales(),
      payload: { reason: 'deal lost' },
    });
    const response = await upload(
      `${base}/api/v1/acquisitions/${otherId}/imports`,
      { bytes: handsetCsv(1), name: 'late.csv' },
      sales(),
      { mode: 'validate' },
    );
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ code: 'acquisition.locked' });
    const jobs = await fetch(`${base}/api/v1/acquisitions/${otherId}/imports`, {
      headers: sales(),
    });
    expect(((await jobs.json()) as { items: unknown[] }).items).toEqual([]);
  });

  it('the command line downloads the template and imports a file with a report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'intake-cli-import-'));
    const lines: string[] = [];
    const progress: string[] = [];
    const out = {
      log: (s: string) => lines.push(s),
      error: (s: string) => lines.push(`ERR ${s}`),
      progress: (s: string) => progress.push(s),
    };
    const token = server.tokens.sales;
    const remote = ['--url', base, '--token', token];
    // A fresh acquisition: the first test filled this one's handsets to the plan's maximum.
    const acquisitionId = await openAcquisition(
      server,
      buildProposal({ items: [buildItem({ quantity: 10 })] }),
    );
    const templateFile = join(dir, 'template.xlsx');
    expect(await runCli(['template', acquisitionId, '--out', templateFile, ...remote], out)).toBe(
      0,
    );
    expect(readFileSync(templateFile).subarray(0, 2).toString()).toBe('PK');
    const csvFile = join(dir, 'handsets.csv');
    expect(
      await runCli(
        [
          'template',
          acquisitionId,
          '--format',
          'csv',
          '--entity',
          'handset',
          '--out',
          csvFile,
          ...remote,
        ],
        out,
      ),
    ).toBe(0);
    expect(readFileSync(csvFile, 'utf8')).toMatch(/^\ufeffIntake ID,MAC address \*/);

    const report = join(dir, 'report.csv');
    const code = await runCli(
      [
        'import',
        acquisitionId,
        fixture('handsets-three-mac-notations.csv'),
        '--mode',
        'validate',
        '--report',
        report,
        ...remote,
      ],
      out,
    );
    expect(code).toBe(3);
    expect(lines.join('\n')).toMatch(/5 rows read: .* invalid\. Nothing was stored\./);
    expect(lines.join('\n')).toMatch(/row 6 column A: .*MAC/);
    expect(progress.at(-1)).toMatch(/\[#{30}\] 100%/);
    expect(readFileSync(report, 'utf8')).toMatch(
      /MAC Addr,Location,Assigned To,Notes,Problems,Intake ID/,
    );
  });
});
