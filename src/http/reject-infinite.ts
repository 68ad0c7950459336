import type { FastifyInstance } from 'fastify';
import { errors, type ProblemDetail } from '../errors.js';

/**
 * JSON pointers to every number in a value that is not finite (`Infinity`, `-Infinity`, `NaN`).
 * Walks with its own stack; bodies are already limited in depth (reject-deep.ts).
 *
 * @example
 * findNonFinite({ limit: -Infinity }, '/querystring') // ['/querystring/limit']
 */
export function findNonFinite(value: unknown, pointer = ''): string[] {
  const found: string[] = [];
  const stack: [unknown, string][] = [[value, pointer]];
  while (stack.length > 0) {
    const [v, at] = stack.pop()!;
    if (typeof v === 'number' && !Number.isFinite(v)) found.push(at || '/');
    else if (v !== null && typeof v === 'object')
      for (const [key, child] of Object.entries(v))
        stack.push([child, `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`]);
  }
  return found.sort();
}

/**
 * Refuses, after validation, a request whose query, path or body holds a number that is not
 * finite: 400 `request.invalid`, pointing where schema failures point (`/querystring/limit`). Ajv, coercing the text of a query parameter, turns `Infinity`,
 * `-Infinity` and `1e309` into numbers that pass `type: integer` and skip `minimum` and
 * `maximum` (it compares only finite numbers), so `?limit=-Infinity` reached the database (a 500).
 */
export function registerFiniteGuard(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    const found = [
      ...findNonFinite(request.params, '/params'),
      ...findNonFinite(request.query, '/querystring'),
      ...findNonFinite(request.body),
    ];
    if (found.length === 0) return;
    const details: ProblemDetail[] = found.map((pointer) => ({
      pointer,
      detail: 'must be a finite number',
    }));
    throw errors.invalidRequest('The request holds a number that is not finite.', details);
  });
}
