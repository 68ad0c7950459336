import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, errors } from './errors.js';
import { createTestServer, type TestServer } from './test/server.js';

const docs = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory()
      ? sourceFiles(path)
      : path.endsWith('.ts') && !path.endsWith('.test.ts')
        ? [path]
        : [];
  });
}

describe('error codes', () => {
  it('are each documented in docs/errors.md', () => {
    for (const code of ERROR_CODES) {
      expect(docs, code).toMatch(
        new RegExp(`^\\|\\s*\`${code.replace(/\./g, '\\.')}\`\\s*\\|`, 'm'),
      );
    }
  });

  it('cover every code the source can raise', () => {
    const raised = sourceFiles(new URL('.', import.meta.url).pathname).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/new AppError\(\s*'([^']+)'/g)].map((m) => m[1]!),
    );
    expect(raised.length).toBeGreaterThan(10);
    for (const code of raised) expect(ERROR_CODES as readonly string[], code).toContain(code);
    for (const factory of Object.values(errors)) expect(typeof factory).toBe('function');
  });
});

describe('an unexpected error', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer('sqlite');
  });
  afterAll(() => server.close());

  it('answers 500 problem+json and leaks nothing', async () => {
    // Make the token lookup itself fail, as a lost database connection would.
    await server.database.db.schema.dropTable('api_tokens').execute();
    const response = await server.app.inject({
      method: 'GET',
      url: '/api/v1/acquisitions',
      headers: server.auth('viewer'),
    });
    expect(response.statusCode).toBe(500);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const body = response.json<Record<string, unknown>>();
    expect(body).toMatchObject({ code: 'internal', status: 500, errors: [] });
    expect(response.body).not.toMatch(/api_tokens|sqlite|SELECT|stack/i);
  });
});
