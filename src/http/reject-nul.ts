import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';

/** The most places one refusal names; a body full of NULs is refused all the same. */
const MAX_REPORTED = 20;

/**
 * JSON pointers to every string (or object key) holding a NUL character (`\u0000`) in a parsed
 * value. PostgreSQL text cannot hold one, so such input is refused on both databases alike.
 *
 * @example
 * findNul({ values: { name: 'a\u0000b' } }) // ['/values/name']
 */
export function findNul(value: unknown, pointer = ''): string[] {
  const found: string[] = [];
  const visit = (v: unknown, at: string) => {
    if (found.length >= MAX_REPORTED) return;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) found.push(at || '/');
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => visit(item, `${at}/${i}`));
    } else if (v !== null && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        const child = `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        if (key.includes('\u0000')) found.push(child);
        visit(item, child);
      }
    }
  };
  visit(value, pointer);
  return found;
}

/** The refusal of input with a NUL character; `errors` points at each place. */
export const nulCharacter = (pointers: string[]) =>
  new AppError(
    'request.nul-character',
    400,
    'The request holds a NUL character (\\u0000), which no text field can store. Remove it and send again.',
    pointers.map((pointer) => ({ pointer, detail: 'contains a NUL character' })),
  );

/**
 * Refuses, before validation, any request whose path parameters, query or parsed body holds a NUL
 * character: 400 `request.nul-character` on SQLite and PostgreSQL alike, rather than a driver
 * error (a 500) on PostgreSQL. Multipart uploads are checked by their route.
 */
export function registerNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const found = [
      ...findNul(request.params, '/params'),
      ...findNul(request.query, '/query'),
      ...findNul(request.body),
    ];
    if (found.length > 0) throw nulCharacter(found);
  });
}
