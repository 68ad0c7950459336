import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { startIntake, type RunningIntake } from '../main.js';
import { dialects } from '../test/database.js';
import { buildProposal } from '../test/factories.js';
import { ownDatabase } from '../test/own-database.js';
import { startSmtpListener, waitForMail } from '../test/smtp-listener.js';

const catalogDir = new URL('../../catalog', import.meta.url).pathname;
const ADMIN = `admin-mail-token-${randomBytes(8).toString('hex')}`;

describe.each(dialects)('emailing links as Intake runs, log at trace level, on %s', (dialect) => {
  const folder = mkdtempSync(join(tmpdir(), 'intake-mail-log-'));
  const logs: string[] = [];
  let smtp: Awaited<ReturnType<typeof startSmtpListener>>;
  let database: Awaited<ReturnType<typeof ownDatabase>>;
  let running: RunningIntake | undefined;
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${running!.url}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    smtp = await startSmtpListener();
    database = await ownDatabase(dialect, folder);
    running = await startIntake(
      loadConfig({
        PORT: '0',
        DATABASE_URL: database.url,
        INTAKE_ADMIN_TOKEN: ADMIN,
        INTAKE_CATALOG_DIR: catalogDir,
        INTAKE_DATA_DIR: join(folder, 'data'),
        INTAKE_DEMO: 'false',
        INTAKE_LOG_LEVEL: 'trace',
        INTAKE_SMTP_URL: smtp.url,
        INTAKE_REMINDER_INTERVAL_MINUTES: '1',
      }),
      () => undefined,
      { secret: () => undefined, log: { write: (line: string) => void logs.push(line) } },
    );
  });
  afterAll(async () => {
    await running?.close();
    await smtp?.close();
    await database?.drop();
  });

  it('logs neither the address nor the token, when sending works and when it fails', async () => {
    const opened = await api('POST', '/acquisitions', buildProposal());
    expect(opened.status).toBe(201);
    const id = opened.json.id as string;
    const sent = await api('POST', `/acquisitions/${id}/links`, {
      contactName: 'Priya Nair',
      contactEmail: 'priya.nair@fenwick.example',
      sendEmail: true,
    });
    expect(sent.status).toBe(201);
    const [mail] = await waitForMail(smtp.received);
    expect(mail!.to).toEqual(['priya.nair@fenwick.example']);

    await smtp.close();
    const failed = await api('POST', `/acquisitions/${id}/links`, {
      contactName: 'Tomasz',
      contactEmail: 'tomasz@fenwick.example',
      sendEmail: true,
    });
    expect(failed.status).toBe(502);

    const log = logs.join('');
    expect(log).not.toContain('fenwick.example');
    expect(log).not.toContain(sent.json.token as string);
    expect(log).not.toContain('ilk_');
    // The check can fail: the log saw the requests and the failure, by its code only.
    expect(log).toContain(`/acquisitions/${id}/links`);
    expect(log).toMatch(/email not sent: E[A-Z]+.*a customer link could not be emailed/);
  });
});
