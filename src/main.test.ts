import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { startIntake, type RunningIntake } from './main.js';

const catalogDir = new URL('../catalog', import.meta.url).pathname;

describe('starting Intake on the embedded database', () => {
  let running: RunningIntake | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  const start = async (env: Record<string, string>) => {
    const lines: string[] = [];
    running = await startIntake(
      loadConfig({ PORT: '0', INTAKE_CATALOG_DIR: catalogDir, INTAKE_LOG_LEVEL: 'silent', ...env }),
      (l) => lines.push(l),
    );
    return lines;
  };

  it('prints the URL and a first admin token once, and serves the demo acquisition and its plan over HTTP', async () => {
    const database = `sqlite:${join(mkdtempSync(join(tmpdir(), 'intake-start-')), 'intake.db')}`;
    const lines = await start({ DATABASE_URL: database });
    expect(lines[0]).toMatch(
      /^Intake is listening on http:\/\/127\.0\.0\.1:\d+ \(sqlite, catalogue [0-9a-f]{16}\)$/,
    );
    const token = lines.map((l) => /^\s+(itk_\S+)$/.exec(l)?.[1]).find(Boolean)!;
    expect(token).toBeDefined();

    const headers = { authorization: `Bearer ${token}` };
    const list = await fetch(`${running!.url}/api/v1/acquisitions`, { headers });
    expect(list.status).toBe(200);
    const body = (await list.json()) as {
      total: number;
      items: { id: string; customerName: string; completeness: number }[];
    };
    expect(body.total).toBe(1);
    expect(body.items[0]).toMatchObject({ customerName: 'Harbour & Vale Logistics Ltd' });
    const plan = await fetch(`${running!.url}/api/v1/acquisitions/${body.items[0]!.id}/plan`, {
      headers,
    });
    const p = (await plan.json()) as { entities: { entity: string; expected: number }[] };
    expect(p.entities.find((e) => e.entity === 'user')?.expected).toBe(107);
    expect((await fetch(`${running!.url}/api/v1/acquisitions`)).status).toBe(401);

    // A restart neither issues another token nor loads the demo twice.
    await running!.close();
    const again = await start({ DATABASE_URL: database });
    expect(again.join('\n')).not.toMatch(/itk_/);
    const relist = (await (
      await fetch(`${running!.url}/api/v1/acquisitions`, { headers })
    ).json()) as { total: number };
    expect(relist.total).toBe(1);
  });

  it('shows a generated first admin token on the terminal only: never on stdout nor in the log stream', async () => {
    const log: string[] = [];
    const secret: string[] = [];
    const lines: string[] = [];
    running = await startIntake(
      loadConfig({
        PORT: '0',
        INTAKE_CATALOG_DIR: catalogDir,
        INTAKE_LOG_LEVEL: 'trace',
        INTAKE_DEMO: 'false',
        DATABASE_URL: 'sqlite::memory:',
        INTAKE_DATA_DIR: mkdtempSync(join(tmpdir(), 'intake-start-data-')),
      }),
      (l) => lines.push(l),
      { secret: (l) => secret.push(l), log: { write: (s: string) => log.push(s) } },
    );
    const token = secret.map((l) => /^\s+(itk_\S+)$/.exec(l)?.[1]).find(Boolean)!;
    expect(token).toBeDefined();
    const response = await fetch(`${running.url}/api/v1/acquisitions`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    await running.close();
    running = undefined;
    // The log saw the start and the request (its authorization redacted), never the token.
    expect(log.join('')).toContain('/api/v1/acquisitions');
    expect(log.join('')).not.toContain(token);
    expect(lines.join('\n')).not.toContain(token);
    expect(lines.join('\n')).toContain('shown on the terminal');
  });

  it('makes INTAKE_ADMIN_TOKEN the first admin token without printing it', async () => {
    const adminToken = 'configured-admin-token-0123456789';
    const lines = await start({
      DATABASE_URL: 'sqlite::memory:',
      INTAKE_ADMIN_TOKEN: adminToken,
      INTAKE_DEMO: 'false',
    });
    expect(lines.join('\n')).not.toContain(adminToken);
    const response = await fetch(`${running!.url}/api/v1/tokens`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(response.status).toBe(200);
    const list = (await (
      await fetch(`${running!.url}/api/v1/acquisitions`, {
        headers: { authorization: `Bearer ${adminToken}` },
      })
    ).json()) as { total: number };
    expect(list.total).toBe(0);
  });

  it('refuses to start on an invalid catalogue, naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'intake-badcat-'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'oops.yaml'), 'kind: product\nid: oops\nversion: 1\nname: Oops\n');
    await expect(
      start({ DATABASE_URL: 'sqlite::memory:', INTAKE_CATALOG_DIR: dir }),
    ).rejects.toThrow(/oops\.yaml:3 \/version: must be string/);
  });

  it('serves the OpenAPI document and the interactive page', async () => {
    await start({ DATABASE_URL: 'sqlite::memory:', INTAKE_DEMO: 'false' });
    const doc = (await (await fetch(`${running!.url}/api/v1/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { securitySchemes: unknown };
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/acquisitions',
        '/api/v1/acquisitions/{id}/plan',
        '/api/v1/tokens',
        '/api/v1/catalog',
      ]),
    );
    expect(doc.components.securitySchemes).toHaveProperty('bearerAuth');
    const page = await fetch(`${running!.url}/docs`, { redirect: 'follow' });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger');
  });
});
