import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../src/test/database.js';
import { openPage, startWebApp, type WebApp } from './support.js';

describe.each(dialects)('the API documentation page in Chromium (%s)', (dialect) => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp(dialect);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('draws the Swagger UI under the Content-Security-Policy, with nothing blocked', async () => {
    const { page, errors } = await openPage(app);
    const violations: string[] = [];
    await page.exposeFunction('reportViolation', (v: string) => violations.push(v));
    // Injected by the browser, not a page script: the policy does not apply to it.
    await page.addInitScript({
      content:
        "document.addEventListener('securitypolicyviolation', (e) => reportViolation(e.violatedDirective + ' ' + e.blockedURI));",
    });
    const response = await page.goto(`${app.url}/docs/`);
    expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await page.locator('.swagger-ui .info .title').filter({ hasText: 'Intake' }).waitFor();
    await page.locator('.opblock-tag').first().waitFor();
    await page.close();
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
  });
});
