import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerProblemHandlers } from './problem.js';
import { registerWebApp } from './web-app.js';

describe('serving the web application', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'intake-web-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    await writeFile(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('answers the page for /app/… and /portal, assets for good, and sends / to /app', async () => {
    const app = Fastify();
    await registerWebApp(app, dir);
    for (const url of ['/app', '/app/acquisitions/x/data?entity=handset', '/portal']) {
      const page = await app.inject({ url });
      expect(page.statusCode, url).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(page.body).toContain('id="root"');
    }
    const asset = await app.inject({ url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await app.inject({ url: '/assets/missing.js' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/assets/../index.html' })).statusCode).not.toBe(200);
    const root = await app.inject({ url: '/' });
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe('/app');
    await app.close();
  });

  it('answers 404 for the assets folder, any `..` and source maps, and logs no error', async () => {
    await writeFile(join(dir, 'assets', 'index-abc123.js.map'), '{}');
    const lines: string[] = [];
    const app = Fastify({
      logger: { level: 'info', stream: { write: (line: string) => lines.push(line) } },
    });
    registerProblemHandlers(app, 1024);
    await registerWebApp(app, dir);
    for (const url of [
      '/assets/',
      '/assets/%2e%2e/index.html',
      '/assets/%2e%2e/%2e%2e/etc/passwd',
      '/assets/..%2f..%2fetc%2fpasswd',
      '/assets/.%2e/index.html',
      '/assets/index-abc123.js.map',
    ]) {
      const response = await app.inject({ url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json(), url).toMatchObject({ code: 'route.not-found' });
    }
    const levels = lines.map((line) => (JSON.parse(line) as { level: number }).level);
    expect(levels.filter((level) => level >= 50)).toEqual([]);
    expect((await app.inject({ url: '/assets/index-abc123.js' })).statusCode).toBe(200);
    await app.close();
  });

  // Found by test/fuzz: @fastify/send throws its 412 and 416, which became 500s.
  it('answers a stale If-Match with 412 and a Range past the end with 416, as problems', async () => {
    const app = Fastify();
    registerProblemHandlers(app, 1024);
    await registerWebApp(app, dir);
    for (const [url, headers, status, code] of [
      ['/app', { 'if-match': '"1"' }, 412, 'request.precondition-failed'],
      [
        '/portal',
        { 'if-unmodified-since': 'Mon, 01 Jan 2001 00:00:00 GMT' },
        412,
        'request.precondition-failed',
      ],
      ['/app/x', { range: 'bytes=99999-' }, 416, 'request.range-not-satisfiable'],
      ['/assets/index-abc123.js', { range: 'bytes=99999-' }, 416, 'request.range-not-satisfiable'],
    ] as const) {
      const response = await app.inject({ url, headers });
      expect(response.statusCode, url).toBe(status);
      expect(response.headers['content-type'], url).toContain('application/problem+json');
      expect(response.json(), url).toMatchObject({ code, status });
    }
    expect((await app.inject({ url: '/app', headers: { range: 'bytes=0-4' } })).statusCode).toBe(
      206,
    );
    await app.close();
  });

  it('says how to build it when it is not built', async () => {
    const app = Fastify();
    await registerWebApp(app, join(dir, 'nothing-here'));
    const page = await app.inject({ url: '/app' });
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain('npm run build');
    await app.close();
  });
});
