/**
 * npm run bench:load — a mixed workload against running servers on loopback, bounded in time.
 *
 * For SQLite (one node), PostgreSQL (one node) and PostgreSQL (two nodes, requests spread over
 * both), it starts `intake serve` in processes of their own on a fresh database, opens an
 * acquisition of 200 users and runs for BENCH_SECONDS (default 20):
 * - 50 editors, each reading one of 10 shared user records and changing a field with If-Match
 *   (412s are expected: they are the editors losing races, not errors);
 * - 10 readers alternating the plan and a page of records;
 * - 1 importer sending a 1,000-row handset sheet again and again into an acquisition of its own.
 * Each case runs twice: **flat out** (every client sends its next request as soon as the last one
 * answers: the throughput, with latency that is mostly queueing, 60 clients / throughput) and
 * **at people's pace** (an editor thinks 1–3 s between edits, as someone working through a grid
 * does, a reader 0.5–1.5 s between reads and the importer 2.5–7.5 s between sheets: about 25
 * edits, 10 reads and one 1,000-row import every 5 s): the latency an editor feels when the
 * servers are busy but not saturated. BENCH_THINK_MS sets the editors' mean think time (default
 * 2000 ms; readers think half as long, the importer 2.5 times as long), each pause drawn evenly
 * between half and one and a half times the mean. BENCH_IMPORTER=0 leaves the importer out.
 * It prints throughput, p50/p99 per kind of request and the errors (any status other than 200,
 * and 412 for edits), and checks that nothing answered 5xx and no update was lost: each shared
 * record's version, history and final value agree with the successful edits. A bare Fastify route
 * is measured in the same run, under the same 60 concurrent clients, for the ratio.
 *
 * PostgreSQL: BENCH_POSTGRES_URL (a server where a scratch database may be created), else the
 * local one tests use; skipped with a message when it does not answer.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildItem, buildProposal } from '../src/test/factories.js';
import { waitFor } from '../src/test/listener.js';
import { ownDatabase } from '../src/test/own-database.js';
import { postgresReachable, TEST_POSTGRES_URL } from '../src/test/postgres-probe.js';
import {
  freePortInRange,
  newAdminToken,
  startServerProcess,
  type ServerProcess,
} from '../src/test/server-process.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const EDITORS = 50;
const READERS = 10;
const SHARED_RECORDS = 10;
const IMPORT_ROWS = 1000;
const THINK_MS = Number(process.env.BENCH_THINK_MS ?? 2000);
/**
 * Each run first drives the servers for this long untimed (BENCH_WARMUP_SECONDS, default 3), so
 * that the figures are of running servers, not of their first requests (compiling, first reads).
 */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
/** Requests that start before this time (performance.now()) are not counted. */
let countFrom = 0;
/** A person's pause before their next request: evenly between 0.5 and 1.5 times `meanMs`. */
const think = (meanMs: number) =>
  meanMs > 0 ? new Promise((r) => setTimeout(r, meanMs * (0.5 + Math.random()))) : undefined;
/** The importer's sheet: IMPORT_ROWS handsets with distinct MACs at the factories' York Office. */
const handsetSheet = [
  'MAC Address,Site,Hot desk host',
  ...Array.from(
    { length: IMPORT_ROWS },
    (_, i) => `${(0x805ec0600000 + i).toString(16).padStart(12, '0')},York Office,yes`,
  ),
  '',
].join('\n');
const root = new URL('..', import.meta.url).pathname;
const postgresUrl = process.env.BENCH_POSTGRES_URL ?? TEST_POSTGRES_URL;
process.env.INTAKE_TEST_POSTGRES_URL = postgresUrl;

type Kind = 'plan read' | 'records read' | 'field edit' | 'import' | 'bare route';
interface Sample {
  kind: Kind;
  ms: number;
  status: number | 'error';
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

async function timed(
  samples: Sample[],
  kind: Kind,
  url: string,
  init: RequestInit = {},
): Promise<Response | undefined> {
  const start = performance.now();
  try {
    const response = await fetch(url, {
      ...init,
      signal: AbortSignal.timeout(kind === 'import' ? 60_000 : 10_000),
    });
    await response.arrayBuffer().then(() => undefined);
    if (start >= countFrom)
      samples.push({ kind, ms: performance.now() - start, status: response.status });
    return response;
  } catch {
    if (start >= countFrom) samples.push({ kind, ms: performance.now() - start, status: 'error' });
    return undefined;
  }
}

function summarise(label: string, samples: Sample[], seconds: number, bareRps?: number) {
  const lines: string[] = [];
  const all = samples.length;
  lines.push(
    `${label}: ${all} requests in ${seconds} s = ${(all / seconds).toFixed(0)}/s` +
      (bareRps ? ` (${((all / seconds / bareRps) * 100).toFixed(1)}% of the bare route's)` : ''),
  );
  for (const kind of [
    'plan read',
    'records read',
    'field edit',
    'import',
    'bare route',
  ] as Kind[]) {
    const of = samples.filter((s) => s.kind === kind);
    if (of.length === 0) continue;
    const sorted = of.map((s) => s.ms).sort((a, b) => a - b);
    const ok = of.filter((s) => s.status === 200 || (kind === 'import' && s.status === 201)).length;
    const conflicts = of.filter((s) => s.status === 412).length;
    const errors = of.filter(
      (s) =>
        s.status !== 200 &&
        !(kind === 'field edit' && s.status === 412) &&
        !(kind === 'import' && s.status === 201),
    );
    lines.push(
      `  ${kind.padEnd(12)} ${String(of.length).padStart(6)} (${(of.length / seconds).toFixed(0)}/s)` +
        `  p50 ${percentile(sorted, 0.5).toFixed(1)} ms  p99 ${percentile(sorted, 0.99).toFixed(1)} ms` +
        `  ok ${ok}${kind === 'field edit' ? `  412 ${conflicts}` : ''}  errors ${errors.length}` +
        (errors.length ? ` (${[...new Set(errors.map((e) => e.status))].join(', ')})` : ''),
    );
  }
  return lines.join('\n');
}

/** A bare Fastify route in a process of its own, loaded like Intake: the ceiling of this machine. */
async function bareRoute(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePortInRange();
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import Fastify from 'fastify'; const app = Fastify(); app.get('/', async () => ({ ok: true })); await app.listen({ port: ${port}, host: '127.0.0.1' });`,
    ],
    { cwd: root, stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}/`;
  await waitFor(async () => (await fetch(url).catch(() => undefined))?.ok === true, 20_000);
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

async function measureBare(seconds: number): Promise<{ rps: number; text: string }> {
  const bare = await bareRoute();
  const samples: Sample[] = [];
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: EDITORS + READERS }, async () => {
      while (Date.now() < end) await timed(samples, 'bare route', bare.url);
    }),
  );
  await bare.stop();
  return { rps: samples.length / seconds, text: summarise('bare Fastify route', samples, seconds) };
}

interface Shared {
  id: string;
  version: number;
  /** The values written by successful edits, by the version they made. */
  wins: Map<number, string>;
}

async function run(
  label: string,
  databaseUrl: string,
  nodes: number,
  bareRps: number,
  thinkMs: number,
) {
  const token = newAdminToken();
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const folder = await mkdtemp(join(tmpdir(), 'intake-load-'));
  const servers: ServerProcess[] = [];
  try {
    const env = (i: number) => ({
      DATABASE_URL: databaseUrl,
      INTAKE_ADMIN_TOKEN: token,
      INTAKE_SECRET_KEY: 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=',
      INTAKE_DATA_DIR: join(folder, `node${i}`),
    });
    servers.push(await startServerProcess(env(0)));
    for (let i = 1; i < nodes; i++)
      servers.push(
        await startServerProcess(env(i), await freePortInRange(servers.map((s) => s.port))),
      );
    const api = (i: number) => `${servers[i % servers.length]!.base}/api/v1`;
    const opened = await fetch(`${api(0)}/acquisitions`, {
      method: 'POST',
      headers,
      body: JSON.stringify(buildProposal({ items: [buildItem({ quantity: 200 })] })),
    });
    const { id } = (await opened.json()) as { id: string };
    const users = (
      (await (
        await fetch(`${api(0)}/acquisitions/${id}/records?entity=user&limit=${SHARED_RECORDS}`, {
          headers,
        })
      ).json()) as { items: { id: string; version: number }[] }
    ).items;
    const shared: Shared[] = users.map((u) => ({ id: u.id, version: u.version, wins: new Map() }));
    const samples: Sample[] = [];
    countFrom = performance.now() + WARMUP_SECONDS * 1000;
    const end = Date.now() + (WARMUP_SECONDS + SECONDS) * 1000;
    const editor = async (n: number) => {
      const record = shared[n % shared.length]!;
      for (let i = 0; Date.now() < end; i++) {
        const base = api(n + i);
        const read = await fetch(`${base}/acquisitions/${id}/records/${record.id}`, { headers });
        const version = ((await read.json()) as { version: number }).version;
        const value = `editor ${n} edit ${i}`;
        const response = await timed(
          samples,
          'field edit',
          `${base}/acquisitions/${id}/records/${record.id}`,
          {
            method: 'PATCH',
            headers: { ...headers, 'if-match': `"${version}"` },
            body: JSON.stringify({ department: value }),
          },
        );
        if (response?.status === 200) record.wins.set(version + 1, value);
        await think(thinkMs);
      }
    };
    const reader = async (n: number) => {
      for (let i = 0; Date.now() < end; i++) {
        const base = api(n + i);
        if (i % 2 === 0)
          await timed(samples, 'plan read', `${base}/acquisitions/${id}/plan`, { headers });
        else
          await timed(
            samples,
            'records read',
            `${base}/acquisitions/${id}/records?limit=50&offset=${(i * 10) % 200}`,
            {
              headers,
            },
          );
        await think(thinkMs / 2);
      }
    };
    // One importer, on an acquisition of its own: a 1,000-row handset sheet again and again
    // (the first fills the handsets, the later ones find them unchanged), over the nodes in turn.
    const importing = await fetch(`${api(0)}/acquisitions`, {
      method: 'POST',
      headers,
      body: JSON.stringify(
        buildProposal({
          items: [
            buildItem({
              quantity: IMPORT_ROWS,
              characteristics: { features: ['hotDesking'], handsetModel: 'Yealink T54W' },
            }),
          ],
        }),
      ),
    });
    const importId = ((await importing.json()) as { id: string }).id;
    let imported = 0;
    const importer = async () => {
      for (let i = 0; Date.now() < end; i++) {
        const form = new FormData();
        form.append('mode', 'valid-rows');
        form.append('file', new Blob([handsetSheet]), 'handsets.csv');
        const response = await timed(
          samples,
          'import',
          `${api(i)}/acquisitions/${importId}/imports`,
          { method: 'POST', headers: { authorization: headers.authorization }, body: form },
        );
        if (response?.status === 201) imported++;
        // At people's pace, someone uploads a sheet every 2.5–7.5 s.
        await think(thinkMs * 2.5);
      }
    };
    await Promise.all([
      ...Array.from({ length: EDITORS }, (_, n) => editor(n)),
      ...Array.from({ length: READERS }, (_, n) => reader(n)),
      ...(process.env.BENCH_IMPORTER === '0' ? [] : [importer()]),
    ]);
    const filled = (
      (await (
        await fetch(`${api(0)}/acquisitions/${importId}/records?entity=handset&limit=1`, {
          headers,
        })
      ).json()) as { items: { values: { mac?: string } }[] }
    ).items[0]?.values.mac;
    if (imported > 0 && !filled) throw new Error('the imports completed but stored no MAC');

    // No lost update: versions, history and final values agree with the successful edits.
    const problems: string[] = [];
    for (const record of shared) {
      const final = (await (
        await fetch(`${api(0)}/acquisitions/${id}/records/${record.id}`, { headers })
      ).json()) as { version: number; values: Record<string, unknown> };
      const history = (await (
        await fetch(`${api(0)}/acquisitions/${id}/records/${record.id}/history`, { headers })
      ).json()) as { items: { field: string; newValue: unknown }[] };
      const edits = history.items.filter((h) => h.field === 'department').length;
      const won = record.wins.size;
      if (final.version - record.version !== won)
        problems.push(
          `${record.id}: version moved ${final.version - record.version}, ${won} edits won`,
        );
      if (edits !== won) problems.push(`${record.id}: ${edits} history entries, ${won} edits won`);
      if (won > 0 && final.values.department !== record.wins.get(final.version))
        problems.push(`${record.id}: final value is not the last winning edit's`);
    }
    const fivexx = samples.filter((s) => typeof s.status === 'number' && s.status >= 500).length;
    console.log(summarise(label, samples, SECONDS, bareRps));
    console.log(
      `  5xx: ${fivexx}; lost updates: ${problems.length === 0 ? 'none' : problems.join('; ')}` +
        ` (${shared.reduce((n, s) => n + s.wins.size, 0)} winning edits on ${shared.length} shared records)`,
    );
    return fivexx === 0 && problems.length === 0;
  } finally {
    for (const server of servers) await server.kill('SIGKILL');
    await rm(folder, { recursive: true, force: true });
  }
}

console.log(
  `bench:load — ${EDITORS} editors on ${SHARED_RECORDS} shared records and ${READERS} readers, ${SECONDS} s per run, loopback, ${process.env.BENCH_CPUS ?? 'this machine'}`,
);
const bare = await measureBare(Math.max(3, Math.round(SECONDS / 4)));
console.log(bare.text);
let ok = true;
/** BENCH_PACES: `flat` (no pause), `paced` (people's pace), or both (the default). */
const paces = (process.env.BENCH_PACES ?? 'flat,paced').split(',');
const pgReachable = await postgresReachable(postgresUrl);
for (const pace of paces) {
  const thinkMs = pace === 'paced' ? THINK_MS : 0;
  const how =
    thinkMs > 0
      ? `at people's pace (editors think ${thinkMs / 2000}–${(thinkMs * 1.5) / 1000} s)`
      : 'flat out';
  const sqliteFolder = await mkdtemp(join(tmpdir(), 'intake-load-db-'));
  const sqliteUrl = `sqlite:${join(sqliteFolder, 'intake.db')}`;
  ok = (await run(`SQLite, 1 node, ${how}`, sqliteUrl, 1, bare.rps, thinkMs)) && ok;
  await rm(sqliteFolder, { recursive: true, force: true });
  if (!pgReachable) continue;
  for (const nodes of [1, 2]) {
    const scratch = await ownDatabase('postgres', tmpdir());
    try {
      const label = `PostgreSQL, ${nodes} node${nodes > 1 ? 's' : ''}, ${how}`;
      ok = (await run(label, scratch.url, nodes, bare.rps, thinkMs)) && ok;
    } finally {
      await scratch.drop();
    }
  }
}
if (!pgReachable)
  console.log(
    `PostgreSQL at ${postgresUrl.replace(/\/\/[^@]*@/, '//')} does not answer: not measured.`,
  );
process.exitCode = ok ? 0 : 1;
