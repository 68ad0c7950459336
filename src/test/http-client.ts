import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Injects } from './answer-interview.js';
import type { TestServer } from './server.js';

/** A server listening on a real loopback port, for tests that need HTTP (multipart, streams). */
export async function listen(server: TestServer): Promise<string> {
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const address = server.app.server.address();
  if (!address || typeof address === 'string') throw new Error('server has no port');
  return `http://127.0.0.1:${address.port}`;
}

/** Uploads a file as multipart/form-data part "file", with more form fields if given. */
export async function upload(
  url: string,
  file: { path: string; name?: string } | { bytes: Uint8Array; name: string },
  headers: Record<string, string>,
  fields: Record<string, string> = {},
): Promise<Response> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const bytes = 'bytes' in file ? file.bytes : await readFile(file.path);
  const name = 'bytes' in file ? file.name : (file.name ?? basename(file.path));
  form.append('file', new Blob([bytes]), name);
  return fetch(url, { method: 'POST', body: form, headers });
}

/** `inject` over real HTTP to a server at `base`: the test helpers written for a TestServer, for a process. */
export function overHttp(base: string): Injects {
  return {
    app: {
      inject: async ({ method, url, headers, payload }) => {
        const response = await fetch(`${base}${url}`, {
          method,
          headers: payload ? { ...headers, 'content-type': 'application/json' } : headers,
          body: payload ? JSON.stringify(payload) : undefined,
          signal: AbortSignal.timeout(30_000),
        });
        const body = await response.text();
        return { statusCode: response.status, body, json: <T>() => JSON.parse(body) as T };
      },
    },
  };
}
