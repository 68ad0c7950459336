import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { dialects } from '../test/database.js';
import { buildItem, buildProposal } from '../test/factories.js';
import { startListener, waitFor } from '../test/listener.js';
import { TEST_POSTGRES_URL } from '../test/postgres-probe.js';
import { HUB_EVENT_TYPES, type Notification } from './envelope.js';

const root = new URL('../..', import.meta.url).pathname;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A PostgreSQL database of its own for the server process (its URL), and how to drop it. */
async function scratchPostgres(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `intake_kill_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

describe.each(dialects)('event delivery across a killed process on %s', (dialect) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('delivers every event after the server is killed with SIGKILL in the middle of deliveries', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'intake-kill-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    let databaseUrl = `sqlite:${join(dir, 'intake.db')}`;
    if (dialect === 'postgres') {
      const scratch = await scratchPostgres();
      cleanups.push(scratch.drop);
      databaseUrl = scratch.url;
    }
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const token = `itk_${randomBytes(24).toString('hex')}`;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    let child: ChildProcess | undefined;
    const startServer = async () => {
      child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/dev.ts'], {
        cwd: root,
        env: {
          PATH: process.env.PATH,
          DATABASE_URL: databaseUrl,
          PORT: String(port),
          INTAKE_ADMIN_TOKEN: token,
          INTAKE_DEMO: 'false',
          INTAKE_LOG_LEVEL: 'silent',
          INTAKE_DATA_DIR: dir,
          INTAKE_DELIVERY_POLL_MS: '20',
          INTAKE_DELIVERY_BACKOFF_MS: '20',
          // Deliveries the killed process had claimed are tried again after 2 × 500 ms.
          INTAKE_DELIVERY_TIMEOUT_MS: '500',
          // The listener is on loopback, which callbacks may reach only when allowed.
          INTAKE_CALLBACK_ALLOW: '127.0.0.1',
        },
        stdio: 'ignore',
      });
      await waitFor(async () => {
        try {
          return (await fetch(`${base}/healthz`)).ok;
        } catch {
          return false;
        }
      }, 30_000);
    };
    cleanups.push(() => void child?.kill('SIGKILL'));

    // A slow listener: each answer takes 150 ms, so the kill lands while deliveries are under way.
    const listener = await startListener(() => 201, 150);
    cleanups.push(listener.close);
    await startServer();
    const hub = await fetch(`${base}/api/v1/hub`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ callback: listener.url }),
    });
    expect(hub.status).toBe(201);
    const opened = await fetch(`${base}/api/v1/acquisitions`, {
      method: 'POST',
      headers,
      body: JSON.stringify(buildProposal({ items: [buildItem({ quantity: 60 })] })),
    });
    const { id } = (await opened.json()) as { id: string };
    const users = (await (
      await fetch(`${base}/api/v1/acquisitions/${id}/records?entity=user&limit=100`, { headers })
    ).json()) as { items: { id: string }[] };
    for (const department of ['Surveying', 'Accounts', 'Reception']) {
      const bulk = await fetch(`${base}/api/v1/acquisitions/${id}/records/bulk`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          records: users.items.map((u) => ({ id: u.id, values: { department } })),
        }),
      });
      expect(bulk.status).toBe(200);
    }

    await waitFor(() => listener.received.length >= 20, 20_000);
    child!.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    const beforeRestart = listener.received.length;
    await startServer();

    // Every event in the outbox reaches the listener; a few may arrive twice (at least once).
    const outbox = async (): Promise<{ id: string; event_type: string }[]> => {
      if (dialect === 'sqlite') {
        const db = new SQLite(join(dir, 'intake.db'), { readonly: true });
        try {
          return db.prepare('select id, event_type from outbox_events').all() as {
            id: string;
            event_type: string;
          }[];
        } finally {
          db.close();
        }
      }
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        return (
          await client.query<{ id: string; event_type: string }>(
            'select id, event_type from outbox_events',
          )
        ).rows;
      } finally {
        await client.end();
      }
    };
    const events = await outbox();
    // The acquisition, its customer record (organization, one contact, customer), 3 × 60 changes.
    expect(events.length).toBe(1 + 3 + 3 * 60);
    // Intake's hub offers its own events, not the customer record's (those go to the TMF hubs).
    const expected = events
      .filter((e) => HUB_EVENT_TYPES.intake.includes(e.event_type))
      .map((e) => e.id);
    expect(expected.length).toBe(1 + 3 * 60);
    expect(beforeRestart).toBeLessThan(expected.length);
    await waitFor(() => {
      const seen = new Set(
        listener.received.map((r) => (JSON.parse(r.body) as Notification).eventId),
      );
      return expected.every((e) => seen.has(e));
    }, 60_000);
    child!.kill('SIGTERM');
  }, 120_000);
});
