import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
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
