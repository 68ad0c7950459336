import { defineConfig } from 'vitest/config';
import { chromiumPath } from './src/test/browser.js';

// The browser tests need the machine's Chromium; without it they are left out, and the run says so
// plainly (src/test/global-setup.ts), or fails when INTAKE_TEST_REQUIRE_BROWSER=1 (CI).
const browser = chromiumPath() !== null;

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
    exclude: ['**/node_modules/**', ...(browser ? [] : ['test/e2e/**'])],
    globalSetup: ['./src/test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
