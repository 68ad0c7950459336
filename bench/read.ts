/**
 * npm run bench:read — the records API under load, beside a plain server answering the same rows.
 *
 * Opens an acquisition of BENCH_SEATS hosted-voice seats (default 1,000: 2,000 users and handsets,
 * names, extensions and MACs filled, a few invalid so that some records carry findings) on a
 * temporary SQLite file with Intake's compiled code, then starts two servers as processes of their
 * own on loopback, one after the other:
 * - Intake (`node bin/intake.js serve`, logging off), asked `GET /api/v1/acquisitions/{id}/records
 *   ?limit=100` with a bearer token: authentication, scope, the page with its findings, presented;
 * - the ceiling (bench/read-floor.ts): `node:http` and `better-sqlite3` answering the same page
 *   (total, 100 records by id with their values, their findings) and nothing else.
 * Each is driven by BENCH_CONNECTIONS (10) keep-alive connections for BENCH_SECONDS (10) after a
 * 2 s warm-up, BENCH_ROUNDS (2) times, alternating. Prints requests per second, p50 and p99, the
 * errors, and Intake's share of the ceiling. Goal (issue 15): at least 50%. BENCH_PROFILE=<folder>
 * writes a CPU profile of each Intake process there; BENCH_KEEP=1 keeps the database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startBenchServer, yorkSeatsProposal } from './compiled.js';

const SEATS = Number(process.env.BENCH_SEATS ?? 1_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const root = new URL('..', import.meta.url).pathname;

// The acquisition, set up in this process through the API, then closed.
const dir = mkdtempSync(join(tmpdir(), 'intake-bench-read-'));
const { app, database, file, token, base } = await startBenchServer(dir);
let acquisitionId: string;
{
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const opened = await fetch(`${base}/api/v1/acquisitions`, {
    method: 'POST',
    headers,
    body: JSON.stringify(
      yorkSeatsProposal('PRO-BENCH-READ', { name: 'Northwind Freight Ltd' }, SEATS, {
        features: ['voicemail'],
      }),
    ),
  });
  if (opened.status !== 201) throw new Error(`open: ${opened.status} ${await opened.text()}`);
  acquisitionId = ((await opened.json()) as { id: string }).id;
  const records: { id: string; entity: string }[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = (await (
      await fetch(
        `${base}/api/v1/acquisitions/${acquisitionId}/records?limit=500&offset=${offset}`,
        { headers },
      )
    ).json()) as { items: { id: string; entity: string }[] };
    records.push(...page.items);
    if (page.items.length < 500) break;
  }
  let user = 0;
  let handset = 0;
  const fill = records
    .map((r) => {
      if (r.entity === 'user') {
        const n = user++;
        return {
          id: r.id,
          values: {
            firstName: ['Amira', 'Tom', 'Priya', 'Owen', 'Chen'][n % 5],
            lastName: n % 97 === 96 ? '' : `Haddad-${n}`,
            extension: String(2000 + n),
            email: `user${n}@northwind.example`,
          },
        };
      }
      if (r.entity === 'handset') {
        const n = handset++;
        const hex = (0x805ec0000000 + n).toString(16).toUpperCase().padStart(12, '0');
        return {
          id: r.id,
          values: {
            mac: n % 50 === 49 ? `${hex.slice(0, 10)}ZZ` : hex.replace(/(..)(?!$)/g, '$1:'),
          },
        };
      }
      return null;
    })
    .filter((r) => r !== null);
  for (let i = 0; i < fill.length; i += 2000) {
    const answer = await fetch(`${base}/api/v1/acquisitions/${acquisitionId}/records/bulk`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ records: fill.slice(i, i + 2000) }),
    });
    if (answer.status !== 200) throw new Error(`bulk: ${answer.status} ${await answer.text()}`);
  }
  console.log(`acquisition of ${SEATS} seats: ${records.length} records, ${fill.length} filled`);
  await app.close();
  await database.close();
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor(url: string, headers: Record<string, string>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url, { headers })).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer`);
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

interface Load {
  requests: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/** CONNECTIONS loops on keep-alive sockets for `seconds`: every answer read to its end. */
async function drive(
  port: number,
  path: string,
  headers: Record<string, string>,
  seconds: number,
): Promise<Load> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const req = request({ host: '127.0.0.1', port, path, headers, agent }, (res) => {
        let size = 0;
        res.on('data', (chunk: Buffer) => (size += chunk.length));
        res.on('end', () => {
          if (res.statusCode !== 200 || size < 1000) errors++;
          else latencies.push(performance.now() - started);
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < end) await one();
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    requests: latencies.length,
    errors,
    perSecond: latencies.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
  };
}

/** BENCH_PROFILE=<folder>: Intake runs with --cpu-prof, its profiles written there on exit. */
const profileFlags = process.env.BENCH_PROFILE
  ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
  : [];

async function measure(kind: 'intake' | 'ceiling'): Promise<Load> {
  const port = await freePort();
  const child =
    kind === 'intake'
      ? spawn(process.execPath, [...profileFlags, join(root, 'bin/intake.js'), 'serve'], {
          cwd: root,
          env: {
            ...process.env,
            DATABASE_URL: `sqlite:${file}`,
            PORT: String(port),
            INTAKE_DATA_DIR: dir,
            INTAKE_LOG_LEVEL: 'silent',
            INTAKE_DEMO: 'off',
          },
          stdio: ['ignore', 'ignore', 'inherit'],
        })
      : spawn(
          process.execPath,
          [
            join(root, 'node_modules/tsx/dist/cli.mjs'),
            join(root, 'bench/read-floor.ts'),
            file,
            String(port),
          ],
          {
            cwd: root,
            stdio: ['ignore', 'ignore', 'inherit'],
          },
        );
  try {
    const headers: Record<string, string> =
      kind === 'intake' ? { authorization: `Bearer ${token}` } : {};
    const path =
      kind === 'intake'
        ? `/api/v1/acquisitions/${acquisitionId}/records?limit=100`
        : `/records?acquisition=${acquisitionId}&limit=100`;
    await waitFor(`http://127.0.0.1:${port}${path}`, headers);
    await drive(port, path, headers, 2);
    return await drive(port, path, headers, SECONDS);
  } finally {
    await stop(child);
  }
}

const results: { intake: Load[]; ceiling: Load[] } = { intake: [], ceiling: [] };
for (let round = 1; round <= ROUNDS; round++) {
  for (const kind of ['intake', 'ceiling'] as const) {
    const r = await measure(kind);
    results[kind].push(r);
    console.log(
      `round ${round}, ${kind}: ${r.perSecond.toFixed(0)} requests/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ${r.errors} errors (${r.requests} answers)`,
    );
  }
}
const best = (list: Load[]) => Math.max(...list.map((l) => l.perSecond));
const intake = best(results.intake);
const ceiling = best(results.ceiling);
console.log(
  `\nGET …/records?limit=100, ${CONNECTIONS} connections, ${SECONDS} s, best of ${ROUNDS}: Intake ${intake.toFixed(0)} requests/s, plain node:http + better-sqlite3 ${ceiling.toFixed(0)} requests/s: ${((intake / ceiling) * 100).toFixed(0)}% of the ceiling (goal: at least 50%)`,
);
if (process.env.BENCH_KEEP === '1')
  console.log(`kept: ${file}, acquisition ${acquisitionId}, token ${token}`);
else await rm(dir, { recursive: true, force: true });
