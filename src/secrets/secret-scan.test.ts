import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/main.js';
import { loadConfig } from '../config.js';
import { connectDatabase } from '../db/connect.js';
import { startIntake, type RunningIntake } from '../main.js';
import { answerInterview } from '../test/answer-interview.js';
import { dialects } from '../test/database.js';
import { ownDatabase } from '../test/own-database.js';
import { buildProposal } from '../test/factories.js';
import { DemoAnswers } from '../test/fill-values.js';
import { upload } from '../test/http-client.js';
import { startListener, waitFor } from '../test/listener.js';
import type { TestServer } from '../test/server.js';
import { MASK } from './secret-fields.js';
import { KEY_FILE } from './secret-key.js';

const catalogDir = new URL('../../catalog', import.meta.url).pathname;
const ADMIN = `admin-scan-token-${randomBytes(8).toString('hex')}`;
/** Planted secrets: by the API first, then by a spreadsheet import (the first pair stays in history). */
const API_SECRETS = { accountNumber: 'ACCT-5501-9932', accountPin: '739146' };
const IMPORT_SECRETS = { accountNumber: 'ACCT-7731-2204', accountPin: '482913' };
const PLANTED = [...Object.values(API_SECRETS), ...Object.values(IMPORT_SECRETS)];

type Listener = Awaited<ReturnType<typeof startListener>>;

/** Every planted secret found in the text, with where it was found. */
function leaks(where: string, text: string): string[] {
  return PLANTED.filter((s) => text.includes(s)).map((s) => `${s} in ${where}`);
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** Every row of every table of a PostgreSQL database, as text. */
async function dumpPostgres(url: string): Promise<string> {
  const handle = connectDatabase(url);
  try {
    const tables = await sql<{
      name: string;
    }>`select table_name as name from information_schema.tables where table_schema = 'public'`.execute(
      handle.db,
    );
    let text = '';
    for (const { name } of tables.rows) {
      const rows = await sql<{
        row: string;
      }>`select t::text as row from ${sql.table(name)} t`.execute(handle.db);
      text += rows.rows.map((r) => r.row).join('\n');
    }
    return text;
  } finally {
    await handle.close();
  }
}

describe.each(dialects)('no secret in clear anywhere, on %s', (dialect) => {
  const folder = mkdtempSync(join(tmpdir(), 'intake-scan-'));
  const dataDir = join(folder, 'data');
  const logs: string[] = [];
  const exported: { where: string; text: string }[] = [];
  let database: Awaited<ReturnType<typeof ownDatabase>>;
  let running: RunningIntake | undefined;
  let orders: Listener;
  let hub: Listener;
  let id: string;

  const api = async (method: string, path: string, body?: unknown, token = ADMIN) => {
    const response = await fetch(`${running!.url}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    exported.push({ where: `${method} ${path}`, text });
    return { status: response.status, text, json: () => JSON.parse(text) as unknown };
  };

  beforeAll(async () => {
    orders = await startListener(() => 201);
    hub = await startListener(() => 201);
    database = await ownDatabase(dialect, folder);
    running = await startIntake(
      loadConfig({
        PORT: '0',
        DATABASE_URL: database.url,
        INTAKE_ADMIN_TOKEN: ADMIN,
        INTAKE_CATALOG_DIR: catalogDir,
        INTAKE_DATA_DIR: dataDir,
        INTAKE_DEMO: 'false',
        INTAKE_LOG_LEVEL: 'trace',
        INTAKE_ORDER_API_URL: orders.url,
        INTAKE_CALLBACK_ALLOW: '127.0.0.1',
        INTAKE_DELIVERY_POLL_MS: '20',
      }),
      () => undefined,
      { secret: () => undefined, log: { write: (line: string) => void logs.push(line) } },
    );
  });
  afterAll(async () => {
    await running?.close();
    await orders.close();
    await hub.close();
    await database.drop();
  });

  it('seals the porting account and PIN at rest, masks them on every read, and reveals them only to a listed role, audited', async () => {
    expect((await api('POST', '/hub', { callback: hub.url })).status).toBe(201);
    const proposal = buildProposal({
      items: [
        ...buildProposal().items,
        {
          id: '9',
          productSpecification: 'number-port',
          quantity: 1,
          characteristics: { portType: 'full', losingCarrier: 'Northern Telecom Services' },
        },
      ],
    });
    const opened = await api('POST', '/acquisitions', proposal);
    expect(opened.status, opened.text.slice(0, 300)).toBe(201);
    id = (opened.json() as { id: string }).id;
    const list = await api('GET', `/acquisitions/${id}/records?entity=portRequest`);
    const port = (list.json() as { items: { id: string; version: number }[] }).items[0]!;

    // By the API: the answer shows the mask, and a mask sent back does not overwrite the secret.
    const patched = await fetch(`${running!.url}/api/v1/acquisitions/${id}/records/${port.id}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${ADMIN}`,
        'content-type': 'application/json',
        'if-match': `"${port.version}"`,
      },
      body: JSON.stringify(API_SECRETS),
    });
    const patchedText = await patched.text();
    expect(patched.status, patchedText.slice(0, 300)).toBe(200);
    exported.push({ where: 'PATCH answer', text: patchedText });
    expect((JSON.parse(patchedText) as { values: Record<string, unknown> }).values).toMatchObject({
      accountNumber: MASK,
      accountPin: MASK,
    });

    // By a spreadsheet, matched to the record by its Intake ID.
    const csv = `Intake ID,Account number at current carrier,Account PIN or passcode\n${port.id},${IMPORT_SECRETS.accountNumber},${IMPORT_SECRETS.accountPin}\n`;
    const imported = await upload(
      `${running!.url}/api/v1/acquisitions/${id}/imports?entity=portRequest&mode=valid-rows`,
      { bytes: new TextEncoder().encode(csv), name: 'port.csv' },
      { authorization: `Bearer ${ADMIN}` },
    );
    const job = (await imported.json()) as { id: string; updated: number };
    expect(imported.status).toBe(201);
    expect(job.updated).toBe(1);
    await api('GET', `/acquisitions/${id}/imports/${job.id}/report`);
    await api('GET', `/acquisitions/${id}/records/${port.id}/history`);

    // Reveal: a listed role sees the clear value and is audited; another role is refused.
    const revealed = await api(
      'GET',
      `/acquisitions/${id}/records/${port.id}?reveal=accountNumber,accountPin`,
    );
    exported.pop(); // the one answer that must hold them
    expect((revealed.json() as { values: unknown }).values).toMatchObject(IMPORT_SECRETS);
    const sales = (await api('POST', '/tokens', { name: 'scan-sales', role: 'sales' })).json() as {
      token: string;
    };
    exported.pop();
    const refused = await api(
      'GET',
      `/acquisitions/${id}/records/${port.id}?reveal=accountPin`,
      undefined,
      sales.token,
    );
    expect(refused.status).toBe(403);
    expect((refused.json() as { code: string }).code).toBe('secret.reveal-forbidden');
    const handle = connectDatabase(database.url);
    const audit = await handle.db.selectFrom('secret_reveals').selectAll().execute();
    await handle.close();
    expect(audit.map((a) => [a.field, a.record_id, a.channel, a.actor]).sort()).toEqual([
      ['accountNumber', port.id, 'records', 'first-admin'],
      ['accountPin', port.id, 'records', 'first-admin'],
    ]);

    // The template shows the mask; imported back as it is, the stored secret is unchanged.
    const template = await api('GET', `/acquisitions/${id}/template?format=csv&entity=portRequest`);
    expect(template.text).toContain(MASK);
    const back = await upload(
      `${running!.url}/api/v1/acquisitions/${id}/imports?entity=portRequest&mode=valid-rows`,
      { bytes: new TextEncoder().encode(template.text), name: 'template.csv' },
      { authorization: `Bearer ${ADMIN}` },
    );
    expect(back.status).toBe(201);
    const again = await api('GET', `/acquisitions/${id}/records/${port.id}?reveal=accountPin`);
    exported.pop();
    expect((again.json() as { values: unknown }).values).toMatchObject({
      accountPin: IMPORT_SECRETS.accountPin,
    });

    // The rest of the deal, then the handover and everything it produces.
    const app = { app: running!.app } as unknown as TestServer;
    await answerInterview(
      app,
      id,
      { authorization: `Bearer ${ADMIN}` },
      new DemoAnswers(['york'], 0),
    );
    expect((await api('POST', `/acquisitions/${id}/revalidate`)).status).toBe(200);
    expect((await api('POST', `/acquisitions/${id}/submit`)).status).toBe(200);
    const approved = await api('POST', `/acquisitions/${id}/approve`, {
      customerConfirmation: 'Confirmed by Sam Example by email',
    });
    expect(approved.status, approved.text.slice(0, 300)).toBe(200);
    await api('GET', `/acquisitions/${id}/handover/product-order`);
    await api('GET', `/acquisitions/${id}/handover/package`);
    await api('GET', `/acquisitions/${id}/handover/exports?entity=portRequest&format=csv`);
    const xlsx = await fetch(`${running!.url}/api/v1/acquisitions/${id}/handover/exports`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    exported.push({
      where: 'exports.xlsx',
      text: Buffer.from(await xlsx.arrayBuffer()).toString('latin1'),
    });
    expect([200, 202]).toContain((await api('POST', `/acquisitions/${id}/handover`)).status);
    await waitFor(() => orders.received.length > 0 && hub.received.length > 0, 15_000);

    const found: string[] = [];
    for (const e of exported) found.push(...leaks(e.where, e.text));
    for (const r of [...orders.received, ...hub.received])
      found.push(...leaks(`notification ${r.path}`, r.body));
    found.push(...leaks('log', logs.join('')));
    // Personal data is not logged either, even at trace level: the contact's email and the answers.
    expect(logs.join('')).not.toContain('sam@fenwick.example');
    expect(logs.join('')).not.toContain('@fenwick.example');
    for (const file of filesUnder(dataDir))
      found.push(...leaks(file, readFileSync(file, 'latin1')));
    if (dialect === 'sqlite') {
      for (const file of filesUnder(folder).filter((f) => /intake\.db(-wal)?$/.test(f)))
        found.push(...leaks(file, readFileSync(file, 'latin1')));
      expect(statSync(join(folder, 'intake.db-wal')).size).toBeGreaterThan(0);
    } else {
      found.push(...leaks('postgres tables', await dumpPostgres(database.url)));
    }
    expect(found).toEqual([]);
    // The check can fail: the log saw the requests, and the order carries the mask.
    expect(logs.join('')).toContain('/records/');
    expect(orders.received[0]!.body).toContain(MASK);
  });

  it('refuses to start with another key or without the key, and rotates every secret to a new key', async () => {
    await running!.close();
    running = undefined;
    const start = (env: Record<string, string>) =>
      startIntake(
        loadConfig({
          PORT: '0',
          DATABASE_URL: database.url,
          INTAKE_CATALOG_DIR: catalogDir,
          INTAKE_LOG_LEVEL: 'silent',
          ...env,
        }),
        () => undefined,
        { secret: () => undefined },
      );
    await expect(
      start({ INTAKE_DATA_DIR: dataDir, INTAKE_SECRET_KEY: randomBytes(32).toString('hex') }),
    ).rejects.toThrow(/sealed under key [0-9a-f]{12}, but the key given is/);
    await expect(start({ INTAKE_DATA_DIR: join(folder, 'elsewhere') })).rejects.toThrow(
      /INTAKE_SECRET_KEY is not set and .*secret\.key does not exist/,
    );
    const key = readFileSync(join(dataDir, KEY_FILE), 'utf8').trim();
    expect(statSync(join(dataDir, KEY_FILE)).mode & 0o777).toBe(0o600);
    running = await start({ INTAKE_DATA_DIR: join(folder, 'elsewhere'), INTAKE_SECRET_KEY: key });
    await running.close();
    running = undefined;

    // Rotation: every secret sealed again under a new key file; the old key no longer opens them.
    const out = { log: () => undefined, error: () => undefined };
    const cliEnv = { DATABASE_URL: database.url, INTAKE_DATA_DIR: dataDir };
    expect(await runCli(['secrets', 'rotate'], out, cliEnv)).toBe(0);
    const rotated = readFileSync(join(dataDir, KEY_FILE), 'utf8').trim();
    expect(rotated).not.toBe(key);
    await expect(
      start({ INTAKE_DATA_DIR: join(folder, 'elsewhere'), INTAKE_SECRET_KEY: key }),
    ).rejects.toThrow(/sealed under key/);
    running = await start({ INTAKE_DATA_DIR: dataDir, INTAKE_ADMIN_TOKEN: ADMIN });
    const list = await api(
      'GET',
      `/acquisitions/${id}/records?entity=portRequest&reveal=accountPin`,
    );
    expect(list.json()).toMatchObject({
      items: [{ values: { accountPin: IMPORT_SECRETS.accountPin } }],
    });
  });
});
