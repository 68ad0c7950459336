import type { TestProject } from 'vitest/node';
import type { DialectName } from '../db/connect.js';
import { build } from 'vite';
import { chromiumPath } from './browser.js';
import { postgresReachable, TEST_POSTGRES_URL } from './postgres-probe.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dialects: DialectName[];
  }
}

/**
 * Decides once which dialects the database tests run on. SQLite always; PostgreSQL when the
 * server answers. When it does not, the run says so plainly (and fails if CI requires it):
 * PostgreSQL tests are then not run, and nothing counts them as passed.
 */
export async function setup(project: TestProject) {
  const warnings: string[] = [];
  if (chromiumPath()) {
    // The browser tests drive the web application as `npm start` serves it: built from web/.
    await build({
      configFile: new URL('../../web/vite.config.ts', import.meta.url).pathname,
      logLevel: 'warn',
    });
  } else if (process.env.INTAKE_TEST_REQUIRE_BROWSER === '1') {
    throw new Error(
      'Chromium is required (INTAKE_TEST_REQUIRE_BROWSER=1): apt-get install -y chromium',
    );
  } else {
    warnings.push(
      '\n*** No Chromium (/usr/bin/chromium, or INTAKE_TEST_CHROMIUM): the browser tests in test/e2e are NOT run ' +
        'in this session. Install it with `apt-get install -y chromium` to run them. ***\n',
    );
  }
  const dialects: DialectName[] = ['sqlite'];
  if (await postgresReachable()) {
    dialects.push('postgres');
  } else {
    const where = TEST_POSTGRES_URL.replace(/\/\/[^@]*@/, '//');
    if (process.env.INTAKE_TEST_REQUIRE_POSTGRES === '1') {
      throw new Error(
        `PostgreSQL is required (INTAKE_TEST_REQUIRE_POSTGRES=1) but ${where} does not answer.`,
      );
    }
    const warning =
      `\n*** PostgreSQL at ${where} does not answer: the PostgreSQL-dialect tests are NOT run in this session; ` +
      'only SQLite is tested. Set INTAKE_TEST_POSTGRES_URL to a reachable server to run them. ***\n';
    warnings.push(warning);
  }
  project.provide('dialects', dialects);
  for (const w of warnings) console.warn(w);
  // Said again after the summary, where nobody can miss it.
  return warnings.length > 0 ? () => warnings.forEach((w) => console.warn(w)) : undefined;
}
