import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';
import { waitFor } from './listener.js';

const root = new URL('../..', import.meta.url).pathname;

/** A free loopback port in 4700–4799 (the range these tests may use), not one in `taken`. */
export async function freePortInRange(taken: readonly number[] = []): Promise<number> {
  for (let port = 4700 + Math.floor(Math.random() * 100), n = 0; n < 100; n++, port++) {
    const candidate = 4700 + (port % 100);
    if (taken.includes(candidate)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(candidate, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return candidate;
  }
  throw new Error('no free port in 4700–4799');
}

/** A new admin token, as INTAKE_ADMIN_TOKEN takes it. */
export function newAdminToken(): string {
  return `itk_${randomBytes(24).toString('hex')}`;
}

/** An Intake server in a process of its own, as `intake serve` runs it (from source, through tsx). */
export interface ServerProcess {
  base: string;
  port: number;
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal) once the process has exited. */
  exited: Promise<number | null>;
  /** Sends a signal, and waits for the exit when it is SIGKILL. */
  kill: (signal: NodeJS.Signals) => Promise<void>;
}

/**
 * Starts `intake serve` from source on `port` (else a free one in 4700–4799) and waits until it answers
 * `/healthz`. `env` holds its settings (DATABASE_URL, INTAKE_DATA_DIR…); the log is silent unless
 * given. Stop it with `kill`, by its pid.
 */
export async function startServerProcess(
  env: Record<string, string>,
  port?: number,
): Promise<ServerProcess> {
  port ??= await freePortInRange();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/dev.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      INTAKE_DEMO: 'false',
      INTAKE_LOG_LEVEL: 'silent',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const base = `http://127.0.0.1:${port}`;
  let gone = false;
  void exited.then(() => (gone = true));
  await waitFor(async () => {
    if (gone) throw new Error(`the server exited at start:\n${stderr}`);
    try {
      return (await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) })).ok;
    } catch {
      return false;
    }
  }, 60_000);
  return {
    base,
    port,
    child,
    exited,
    kill: async (signal) => {
      if (gone) return;
      child.kill(signal);
      if (signal === 'SIGKILL') await exited;
    },
  };
}

/** `fetch` of `/api/v1<path>` on a node with a bearer token and a JSON body type, bounded in time. */
export function apiCaller(token: string, timeoutMs: number) {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return (node: ServerProcess, path: string, init: RequestInit = {}) =>
    fetch(`${node.base}/api/v1${path}`, {
      ...init,
      headers: { ...headers, ...(init.headers as Record<string, string> | undefined) },
      signal: AbortSignal.timeout(timeoutMs),
    });
}

/** A response's JSON body, typed. */
export const jsonOf = async <T>(response: Response): Promise<T> => (await response.json()) as T;

/** One SQL statement on its own connection to the database at `url` (what a test checks behind the nodes). */
export async function queryRows<T extends pg.QueryResultRow>(
  url: string,
  text: string,
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}
