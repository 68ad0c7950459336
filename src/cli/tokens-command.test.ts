import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import type { DatabaseHandle } from '../db/connect.js';
import { startIntake } from '../main.js';
import { buildServer } from '../server.js';
import { dialects, openTestDatabase } from '../test/database.js';
import { testCatalog } from '../test/server.js';
import { runCli } from './main.js';
import { runTokensCommand } from './tokens-command.js';

const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { log: (s: string) => out.push(s), error: (s: string) => err.push(s) } };
};

describe.each(dialects)('intake tokens create on %s', (dialect) => {
  it('issues an admin token that works when every other token is revoked, printed once on stdout', async () => {
    const database = await openTestDatabase(dialect);
    // The command closes what it opens; the test's schema must outlive it.
    const shared: DatabaseHandle = { ...database, close: () => Promise.resolve() };
    const { app, services } = await buildServer({
      config: {
        ...loadConfig({ INTAKE_DATA_DIR: mkdtempSync(join(tmpdir(), 'intake-cli-token-')) }),
      },
      database,
      catalog: await testCatalog(),
    });
    try {
      const lost = await services.tokens.insert({
        name: 'first-admin',
        role: 'admin',
        tokenHash: 'f'.repeat(64),
        createdBy: null,
        now: new Date(),
      });
      await services.tokens.revoke(lost.id, new Date());

      const { out, err, io } = capture();
      const code = await runTokensCommand(
        ['create'],
        { role: 'admin', name: 'break-glass' },
        () => shared,
        io,
      );
      expect(code).toBe(0);
      expect(out).toHaveLength(1);
      const token = out[0]!;
      expect(token).toMatch(/^itk_[\w-]{43}$/);
      expect(err.join('\n')).toContain('break-glass');
      expect(err.join('\n')).not.toContain(token);

      const headers = { authorization: `Bearer ${token}` };
      const list = await app.inject({ method: 'GET', url: '/api/v1/tokens', headers });
      expect(list.statusCode).toBe(200);
      const issued = list
        .json<{ items: { name: string; role: string; createdBy: string }[] }>()
        .items.find((t) => t.name === 'break-glass');
      expect(issued?.role).toBe('admin');
      expect(issued?.createdBy).toMatch(/^cli:/);
    } finally {
      await app.close();
      await database.close();
    }
  });

  it('refuses an unknown role or sub-command without touching the database', async () => {
    const { err, io } = capture();
    const unopened = () => {
      throw new Error('the database must not be opened');
    };
    expect(await runTokensCommand(['create'], { role: 'root' }, unopened, io)).toBe(2);
    expect(await runTokensCommand(['create'], {}, unopened, io)).toBe(2);
    expect(await runTokensCommand(['delete'], { role: 'admin' }, unopened, io)).toBe(2);
    expect(err.join('\n')).toContain('"root" is not a role');
  });
});

describe('intake tokens create from the command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'intake-cli-tokens-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('opens the database DATABASE_URL names, with no server running', async () => {
    const env = { DATABASE_URL: `sqlite:${join(dir, 'intake.db')}` };
    const { out, io } = capture();
    expect(await runCli(['tokens', 'create', '--role', 'admin'], io, env)).toBe(0);
    const token = out[0]!;
    const running = await startIntake(
      loadConfig({
        ...env,
        PORT: '0',
        INTAKE_DEMO: 'false',
        INTAKE_LOG_LEVEL: 'silent',
        INTAKE_DATA_DIR: join(dir, 'data'),
      }),
      () => undefined,
    );
    try {
      const response = await fetch(`${running.url}/api/v1/tokens`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(200);
    } finally {
      await running.close();
    }
  });
});
