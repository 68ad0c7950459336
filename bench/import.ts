/**
 * npm run bench:import — spreadsheet imports of generated handset sheets with 1% invalid rows.
 *
 * Each case runs in its own process, so that its peak RSS is its own, after a set-up process has
 * made its database and opened its acquisitions (opening 1,000,000 seats is not the import):
 * - floor: parse the CSV with the same reader (csv-parse after decoding) and insert the same rows
 *   into `records` in one transaction: no mapping, matching or validation;
 * - import: the real import (mode valid-rows, merge): header detection and mapping, matching,
 *   normalisation, validation at all levels, keys, history, outbox, the report.
 * Rows go into an acquisition of as many hot-desk seats as the sheet has rows, so each row fills a
 * handset the plan expects (as a customer's sheet for the deal does). A combined sheet (a user and
 * their handset per row, the site by name) fills two records per row.
 * Prints rows per second, peak RSS and the ratio of each CSV import to its floor. While each
 * import runs, an edit of another acquisition is due every 100 ms, as someone working on another
 * deal would: how long those edits took from when each was due (the median and the worst) is how
 * long an import makes others wait.
 *
 * BENCH_ROWS=10000,100000 (the CSV and XLSX sizes), BENCH_COMBINED=100000 (the combined user and
 * handset CSV; 0 to skip), BENCH_MILLION=0 to skip the 1,000,000-row
 * CSV run, BENCH_DATABASE_URL for PostgreSQL (a database there through which each case makes a
 * fresh database of its own; else a temporary SQLite file per case),
 * BENCH_NODE_OPTIONS for the cases' Node flags (e.g. --max-old-space-size=128 to bound the heap),
 * BENCH_FORMATS=csv to run only the CSV cases of BENCH_ROWS (default csv,xlsx), BENCH_STATEMENTS=1
 * to print, on PostgreSQL, each case's statements grouped by their first words with their count
 * and time (round trips and where the database's time goes), BENCH_SLOW_EDITS=1 to print each
 * edit made meanwhile that waited over 100 ms, with when it was due.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import type * as CatalogModule from '../src/catalog/load-catalog.js';
import type * as ConfigModule from '../src/config.js';
import type * as ConnectModule from '../src/db/connect.js';
import type * as MigrateModule from '../src/db/migrate.js';
import type * as ServerModule from '../src/server.js';
import type * as ReadCsvModule from '../src/spreadsheets/read-csv.js';
import { loadCompiled, yorkSeatsProposal } from './compiled.js';
import { startProfile } from './profile.js';

/**
 * The cases run Intake's compiled code (dist/, built by the npm script), as `npm start` does; the
 * types come from the sources.
 */
const load = loadCompiled;
const { loadCatalog } = await load<typeof CatalogModule>('catalog/load-catalog.js');
const { loadConfig } = await load<typeof ConfigModule>('config.js');
const { connectDatabase } = await load<typeof ConnectModule>('db/connect.js');
const { migrateToLatest } = await load<typeof MigrateModule>('db/migrate.js');
const { buildServices } = await load<typeof ServerModule>('server.js');
const { readCsvRows } = await load<typeof ReadCsvModule>('spreadsheets/read-csv.js');

type Kind = 'floor' | 'import';
/** A handset per row, or a user and their handset per row. */
type Shape = 'handsets' | 'combined';
interface Measure {
  kind: Kind;
  shape: Shape;
  format: 'csv' | 'xlsx';
  rows: number;
  seconds: number;
  peakRssMb: number;
  invalid?: number;
  /** Interactive edits of another acquisition made while the import ran: how long each took. */
  editsDuring?: { count: number; p50Ms: number; worstMs: number };
}

const HEADER = ['MAC Address', 'Site', 'Hot desk host', 'Line Keys'];

/** Row i of the sheet: a unique MAC, except every hundredth row, whose MAC is not valid. */
function row(i: number): string[] {
  const hex = (0x805ec0000000 + i).toString(16).toUpperCase().padStart(12, '0');
  const mac = i % 100 === 99 ? `${hex.slice(0, 10)}ZZ` : hex.replace(/(..)(?!$)/g, '$1:');
  return [mac, 'York Office', 'yes', String(2 + (i % 4))];
}

const COMBINED_HEADER = [
  'Ext.',
  'First Name',
  'Surname',
  'E-mail address',
  'MAC Addr',
  'Phone Model',
  'Location',
];

/** Row i of a combined sheet: a user with a unique extension and email, and their handset. */
function combinedRow(i: number): string[] {
  const [mac, site] = row(i);
  const ext = String(100000 + i);
  return [ext, `First${i}`, `Last${i}`, `user${i}@bench.example`, mac!, 'Yealink T54W', site!];
}

async function writeCsv(path: string, rows: number, shape: Shape = 'handsets'): Promise<void> {
  const out = createWriteStream(path);
  const [header, cells] = shape === 'combined' ? [COMBINED_HEADER, combinedRow] : [HEADER, row];
  out.write(`${header.join(',')}\n`);
  for (let i = 0; i < rows; i++) {
    if (!out.write(`${cells(i).join(',')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
}

async function writeXlsx(path: string, rows: number): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path });
  const sheet = workbook.addWorksheet('Handsets');
  sheet.addRow(HEADER).commit();
  for (let i = 0; i < rows; i++) sheet.addRow(row(i)).commit();
  sheet.commit();
  await workbook.commit();
}

const proposal = (rows: number) =>
  yorkSeatsProposal(`BENCH-IMPORT-${rows}-${Date.now()}`, { name: 'Bench Surveyors Ltd' }, rows, {
    features: ['hotDesking'],
    handsetModel: 'Yealink T54W',
    userType: 'standard',
  });

/**
 * A fresh PostgreSQL database per case, made through the server BENCH_DATABASE_URL names: cases
 * must not share one, or the second sheet's MACs would all clash with the first's (MACs are unique
 * across customers).
 */
async function scratchPostgres(base: string): Promise<{ url: string; name: string }> {
  const name = `intake_bench_${randomUUID().slice(0, 8)}`;
  await onPostgres(base, `create database ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return { url: url.toString(), name };
}

async function dropPostgres(base: string, name: string): Promise<void> {
  await onPostgres(base, `drop database ${name} with (force)`);
}

async function onPostgres(base: string, statement: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  await client.query(statement);
  await client.end();
}

/**
 * Times every statement the pg client sends, grouped by its first words; returns the function that
 * prints the groups (count, total seconds) to stderr, slowest first.
 */
async function timeStatements(): Promise<() => void> {
  const { default: pg } = await import('pg');
  const groups = new Map<string, { count: number; ms: number }>();
  const prototype = pg.Client.prototype as unknown as {
    query: (...args: unknown[]) => unknown;
  };
  const query = prototype.query;
  prototype.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === 'string' ? first : ((first as { text?: string })?.text ?? '?');
    const name = text.replace(/\s+/g, ' ').slice(0, 60);
    const start = performance.now();
    const result = query.apply(this, args);
    const done = () => {
      const group = groups.get(name) ?? { count: 0, ms: 0 };
      group.count++;
      group.ms += performance.now() - start;
      groups.set(name, group);
    };
    if (result instanceof Promise) void result.then(done, done);
    else if (result && typeof (result as NodeJS.EventEmitter).once === 'function') {
      // A COPY (pg-copy-streams) is a stream, done when it finishes or fails.
      (result as NodeJS.EventEmitter).once('finish', done).once('error', done);
    }
    return result;
  };
  return () => {
    const sorted = [...groups].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25);
    for (const [name, g] of sorted)
      console.error(
        `${(g.ms / 1000).toFixed(2).padStart(7)} s ${String(g.count).padStart(6)}×  ${name}`,
      );
  };
}

/** What a case's set-up made: the database, the acquisition the rows go into, another to edit. */
interface Setup {
  url: string;
  /** The PostgreSQL database made for the case, dropped at its end. */
  scratch?: string;
  acquisitionId: string;
  otherId: string;
  otherUserId: string;
}

const self = fileURLToPath(import.meta.url);
const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));

/** Builds Intake's services on a database, as a server would (not listening). */
async function servicesOn(url: string, dataDir: string) {
  const database = connectDatabase(url, { poolSize: 4 });
  await migrateToLatest(database.db, database.schema);
  const catalog = await loadCatalog(new URL('../catalog', import.meta.url).pathname);
  const config = loadConfig({});
  const services = buildServices({
    config: { ...config, dataDir, imports: { ...config.imports, maxRows: 2_000_000 } },
    database,
    catalog,
  });
  return { database, services };
}

const admin = { tokenId: 'bench', name: 'bench', role: 'admin' as const };

/**
 * A case's set-up, in a process of its own (so that the case's peak RSS is the import's, not that
 * of opening an acquisition of as many seats as the sheet has rows): a fresh database, the
 * acquisition, and another customer's to edit meanwhile. Prints the `Setup` as JSON.
 */
async function runSetup(rows: number): Promise<void> {
  const scratch = process.env.BENCH_DATABASE_URL
    ? await scratchPostgres(process.env.BENCH_DATABASE_URL)
    : undefined;
  const url =
    scratch?.url ?? `sqlite:${join(mkdtempSync(join(tmpdir(), 'intake-bench-')), 'bench.db')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'intake-bench-data-'));
  const { database, services } = await servicesOn(url, dataDir);
  const acquisition = await services.acquisitions.open(proposal(rows), admin);
  const other = await services.acquisitions.open(
    yorkSeatsProposal(`BENCH-EDIT-${Date.now()}`, { name: 'Harbour Side Ltd' }, 5, {}),
    admin,
  );
  const [user] = await services.capture.recordsOfEntity(other.id, 'user');
  await services.imports.drain();
  await database.close();
  await rm(dataDir, { recursive: true, force: true });
  const setup: Setup = {
    url,
    ...(scratch ? { scratch: scratch.name } : {}),
    acquisitionId: acquisition.id,
    otherId: other.id,
    otherUserId: user!.id,
  };
  console.log(JSON.stringify(setup));
}

/** One case, in this process: prints its measure as JSON on the last line. */
async function runCase(
  kind: Kind,
  format: 'csv' | 'xlsx',
  rows: number,
  file: string,
  shape: Shape,
) {
  const setupOut = execFileSync(tsx, [self, '--setup', String(rows)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  });
  const setup = JSON.parse(setupOut.trim().split('\n').at(-1)!) as Setup;
  const dataDir = mkdtempSync(join(tmpdir(), 'intake-bench-data-'));
  const { database, services } = await servicesOn(setup.url, dataDir);
  // Imports run on a worker thread, which a server starts with itself.
  services.imports.execution.start();
  const acquisition = { id: setup.acquisitionId };
  const statements =
    process.env.BENCH_STATEMENTS && setup.scratch ? await timeStatements() : undefined;
  const stopProfile = process.env.BENCH_PROFILE ? await startProfile() : undefined;
  const start = performance.now();
  let invalid: number | undefined;
  let editsDuring: Measure['editsDuring'];
  if (kind === 'floor') {
    await database.db.transaction().execute(async (trx) => {
      let batch: Record<string, unknown>[] = [];
      const flush = async () => {
        if (batch.length > 0)
          await trx
            .insertInto('records')
            .values(batch as never)
            .execute();
        batch = [];
      };
      let n = 0;
      for await (const { cells } of readCsvRows(file, { encoding: 'utf8', delimiter: ',' })) {
        if (n++ === 0) continue;
        const at = new Date().toISOString();
        batch.push({
          id: randomUUID(),
          acquisition_id: acquisition.id,
          entity: 'handset',
          slot: null,
          site: 'york',
          values: JSON.stringify({
            mac: cells[0],
            site: cells[1],
            hotDeskHost: cells[2],
            lineKeys: cells[3],
          }),
          provenance: '{}',
          status: 'valid',
          required_count: 0,
          satisfied_count: 0,
          version: 1,
          digest: '',
          created_at: at,
          updated_at: at,
        });
        if (batch.length >= 500) await flush();
      }
      await flush();
    });
  } else {
    // Someone edits another customer's deal while the import runs: one edit every 100 ms.
    const other = { id: setup.otherId };
    const user = { id: setup.otherUserId };
    let importing = true;
    // Each edit's time runs from when it was due (every 100 ms from the start), not from when its
    // timer fired: a statement that holds the thread delays the timer too, and a user's request
    // arriving then waits as long.
    const editing = (async () => {
      const times: number[] = [];
      const first = performance.now();
      for (let i = 0; importing; i++) {
        const due = first + i * 100;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        await services.capture.write(
          other.id,
          [{ op: 'update', id: user.id, patch: { department: `Edit ${i}` } }],
          admin,
        );
        const waited = performance.now() - due;
        times.push(waited);
        if (process.env.BENCH_SLOW_EDITS && waited > 100)
          console.error(
            `edit due at ${((due - first) / 1000).toFixed(2)} s waited ${waited.toFixed(0)} ms`,
          );
      }
      return times.sort((a, b) => a - b);
    })();
    const started = await services.imports.start({
      acquisitionId: acquisition.id,
      upload: { path: file, fileName: `${shape}.${format}`, sha256: `${Date.now()}` },
      mode: 'valid-rows',
      match: 'merge',
      actor: 'bench',
      createdBy: 'bench',
      customerOnly: false,
    });
    const job = await started.done;
    importing = false;
    const edits = await editing;
    editsDuring = {
      count: edits.length,
      p50Ms: edits[Math.floor(edits.length / 2)] ?? 0,
      worstMs: edits.at(-1) ?? 0,
    };
    if (job.status !== 'completed') throw new Error(JSON.stringify(job.error));
    invalid = job.invalid;
    if (job.rowsRead !== rows) throw new Error(`read ${job.rowsRead} rows, expected ${rows}`);
  }
  const seconds = (performance.now() - start) / 1000;
  await stopProfile?.();
  statements?.();
  await services.imports.drain();
  await database.close();
  if (setup.scratch) await dropPostgres(process.env.BENCH_DATABASE_URL!, setup.scratch);
  else await rm(dirname(setup.url.slice('sqlite:'.length)), { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
  const measure: Measure = {
    kind,
    shape,
    format,
    rows,
    seconds,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    ...(invalid !== undefined ? { invalid } : {}),
    ...(editsDuring ? { editsDuring } : {}),
  };
  console.log(JSON.stringify(measure));
}

const [, , flag, kind, format, rowsText, file, shape] = process.argv;
if (flag === '--setup') {
  await runSetup(Number(kind));
} else if (flag === '--case') {
  await runCase(kind as Kind, format as 'csv' | 'xlsx', Number(rowsText), file!, shape as Shape);
} else {
  const sizes = (process.env.BENCH_ROWS ?? '10000,100000').split(',').map(Number);
  const million = process.env.BENCH_MILLION !== '0';
  const dir = mkdtempSync(join(tmpdir(), 'intake-bench-sheets-'));
  const combined = Number(process.env.BENCH_COMBINED ?? '100000');
  const formats = (process.env.BENCH_FORMATS ?? 'csv,xlsx').split(',');
  const run = (
    kind: Kind,
    format: 'csv' | 'xlsx',
    rows: number,
    path: string,
    shape: Shape = 'handsets',
  ): Measure => {
    const out = execFileSync(tsx, [self, '--case', kind, format, String(rows), path, shape], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? '' },
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 24,
    });
    return JSON.parse(out.trim().split('\n').at(-1)!) as Measure;
  };
  console.log(
    `Import benchmark on ${process.env.BENCH_DATABASE_URL ? 'postgres' : 'sqlite'} (node ${process.version}); handset sheets with 1% invalid rows`,
  );
  const show = (m: Measure, floor?: Measure) =>
    console.log(
      `${m.shape.padEnd(8)} ${m.format.padEnd(4)} ${String(m.rows).padStart(9)} rows  ${m.kind.padEnd(6)}  ${m.seconds.toFixed(2).padStart(7)} s  ${String(Math.round(m.rows / m.seconds)).padStart(7)} rows/s  peak RSS ${String(m.peakRssMb).padStart(4)} MB${m.invalid !== undefined ? `  invalid ${m.invalid}` : ''}${floor ? `  ${(m.seconds / floor.seconds).toFixed(2)}× the floor` : ''}${m.editsDuring ? `  edits meanwhile: ${m.editsDuring.count}, median ${m.editsDuring.p50Ms.toFixed(1)} ms, worst ${m.editsDuring.worstMs.toFixed(0)} ms` : ''}`,
    );
  for (const rows of sizes) {
    const csv = join(dir, `handsets-${rows}.csv`);
    await writeCsv(csv, rows);
    const floor = run('floor', 'csv', rows, csv);
    show(floor);
    if (formats.includes('csv')) show(run('import', 'csv', rows, csv), floor);
    if (!formats.includes('xlsx')) continue;
    const xlsx = join(dir, `handsets-${rows}.xlsx`);
    await writeXlsx(xlsx, rows);
    show(run('import', 'xlsx', rows, xlsx), floor);
  }
  if (combined > 0) {
    // Two records per row: the floor inserts one per row, so the ratio is against the same bytes.
    const csv = join(dir, `combined-${combined}.csv`);
    await writeCsv(csv, combined, 'combined');
    show(run('import', 'csv', combined, csv, 'combined'));
  }
  if (million) {
    const csv = join(dir, 'handsets-1000000.csv');
    await writeCsv(csv, 1_000_000);
    const floor = run('floor', 'csv', 1_000_000, csv);
    show(floor);
    show(run('import', 'csv', 1_000_000, csv), floor);
  }
  await rm(dir, { recursive: true, force: true });
}
