import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { dialects } from '../test/database.js';
import { buildProposal } from '../test/factories.js';
import { createTestServer } from '../test/server.js';

describe.each(dialects)('the template on %s', (dialect) => {
  it("is dated by the acquisition's last change, read when the template is built", async () => {
    let clock = new Date('2026-11-02T09:00:00.000Z');
    const server = await createTestServer(dialect, () => clock);
    try {
      const headers = server.auth('sales');
      const opened = await server.app.inject({
        method: 'POST',
        url: '/api/v1/acquisitions',
        headers,
        payload: buildProposal(),
      });
      const url = `/api/v1/acquisitions/${opened.json<{ id: string }>().id}`;
      const created = async () => {
        const template = await server.app.inject({
          method: 'GET',
          url: `${url}/template`,
          headers,
        });
        const workbook = new ExcelJS.Workbook();
        await workbook.xlsx.load(Uint8Array.from(template.rawPayload).buffer);
        return workbook.created.toISOString();
      };
      expect(await created()).toBe('2026-11-02T09:00:00.000Z');

      // A change a day later: the capture context is cached by now, the acquisition's time is not.
      clock = new Date('2026-11-03T10:30:00.000Z');
      const list = await server.app.inject({
        method: 'GET',
        url: `${url}/records?entity=user&limit=1`,
        headers,
      });
      const user = list.json<{ items: { id: string; version: number }[] }>().items[0]!;
      const patched = await server.app.inject({
        method: 'PATCH',
        url: `${url}/records/${user.id}`,
        headers: { ...headers, 'if-match': `"${user.version}"` },
        payload: { lastName: 'Okafor' },
      });
      expect(patched.statusCode).toBe(200);
      const acquisition = (await server.app.inject({ method: 'GET', url, headers })).json<{
        updatedAt: string;
      }>();
      expect(acquisition.updatedAt).toBe('2026-11-03T10:30:00.000Z');
      expect(await created()).toBe('2026-11-03T10:30:00.000Z');
    } finally {
      await server.close();
    }
  });
});
