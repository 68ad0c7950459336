import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { DialectName } from '../../src/db/connect.js';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { launchBrowser, screenshot, seriousViolations } from '../../src/test/browser.js';
import { listen } from '../../src/test/http-client.js';
import { createTestServer, type TestServer } from '../../src/test/server.js';

/** A real Intake on a loopback port with the demo acquisition, and the machine's Chromium. */
export interface WebApp {
  server: TestServer;
  url: string;
  browser: Browser;
  demoId: string;
  close: () => Promise<void>;
}

export async function startWebApp(
  dialect: DialectName,
  /** `smtpUrl`: the test's SMTP listener, for pages that send email (none by default). */
  options: { smtpUrl?: string } = {},
): Promise<WebApp> {
  const server = options.smtpUrl
    ? await createTestServer(
        dialect,
        undefined,
        {},
        {},
        undefined,
        undefined,
        {},
        {
          smtpUrl: options.smtpUrl,
        },
      )
    : await createTestServer(dialect);
  const demoId = await seedDemo(server.services.acquisitions);
  if (!demoId) throw new Error('the demo acquisition was not opened');
  const url = await listen(server);
  const browser = await launchBrowser();
  return {
    server,
    url,
    browser,
    demoId,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/** A page that fails the test on any uncaught script error or anything the CSP blocks. */
export async function openPage(
  app: WebApp,
  viewport = { width: 1280, height: 900 },
): Promise<{ page: Page; errors: string[] }> {
  const page = await app.browser.newPage({ viewport });
  // Shorter than the test's own limit, so a failing step names its locator.
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Anything the Content-Security-Policy blocks is a failure too: the pages must need nothing it forbids.
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) errors.push(message.text());
  });
  return { page, errors };
}

/** Signs in on the staff sign-in page with a token of the role. */
export async function signIn(app: WebApp, page: Page, role: 'sales' | 'engineer' | 'admin') {
  await page.goto(`${app.url}/app`);
  await page.getByLabel('API token').fill(app.server.tokens[role]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Acquisitions' }).waitFor();
}

/** Takes the step's screenshot and checks the page with axe: no serious or critical violation. */
export async function checkStep(page: Page, name: string, accessibility = false) {
  await screenshot(page, name);
  if (!accessibility) return;
  const violations = await seriousViolations(page);
  expect(violations, `axe on ${name}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
}

/** "509 of 1582 required answers" → 509. */
export async function satisfiedAnswers(page: Page): Promise<number> {
  const text = await page.locator('.progress__detail').first().textContent();
  const match = /(\d+) of (\d+)/.exec(text ?? '');
  if (!match) throw new Error(`no answer count in "${text}"`);
  return Number(match[1]);
}

/** The two sizes every browser test of a page runs at: a laptop and a phone. */
export const VIEWPORTS = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;
