import { expect } from 'vitest';
import type { TestServer } from './server.js';

/** Opens an acquisition from a proposal (native or TMF648) as sales; returns its id. */
export async function openAcquisition(server: TestServer, proposal: object): Promise<string> {
  const created = await server.app.inject({
    method: 'POST',
    url: '/api/v1/acquisitions',
    headers: server.auth('sales'),
    payload: proposal,
  });
  expect(created.statusCode, created.body.slice(0, 300)).toBe(201);
  return created.json<{ id: string }>().id;
}

/** Issues a customer link to an acquisition as sales; returns its token. */
export async function issueLink(
  server: Pick<TestServer, 'app' | 'auth'>,
  acquisitionId: string,
  contactName = 'Pat Customer',
): Promise<string> {
  const issued = await server.app.inject({
    method: 'POST',
    url: `/api/v1/acquisitions/${acquisitionId}/links`,
    headers: server.auth('sales'),
    payload: { contactName },
  });
  return issued.json<{ token: string }>().token;
}
