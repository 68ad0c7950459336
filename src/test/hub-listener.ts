import { expect } from 'vitest';
import { startListener } from './listener.js';
import type { TestServer } from './server.js';

/**
 * Starts a listener and subscribes it, as an engineer, to the hub at `path` (`/api/v1/hub`, a TMF
 * hub); the caller closes the listener.
 */
export async function subscribeListener(
  server: Pick<TestServer, 'app' | 'auth'>,
  path: string,
): Promise<{ listener: Awaited<ReturnType<typeof startListener>>; id: string }> {
  const listener = await startListener();
  const response = await server.app.inject({
    method: 'POST',
    url: path,
    headers: server.auth('engineer'),
    payload: { callback: listener.url },
  });
  expect(response.statusCode).toBe(201);
  return { listener, id: response.json<{ id: string }>().id };
}
