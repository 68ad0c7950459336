import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../src/test/database.js';
import { requestsFor, toRaw, type FuzzRequest } from './fuzz-requests.js';
import { FuzzWorld } from './fuzz-world.js';
import { sendRaw } from './raw-request.js';

/**
 * Bad input everywhere: every route and method of the OpenAPI document, fuzzed with fast-check
 * from a fixed seed. No answer may be a 5xx or take over 5 s, and a refused request (any answer
 * but 2xx) must leave every table and the data folder exactly as they were.
 *
 * CI runs INTAKE_FUZZ_RUNS (default 20) requests per operation; `npm run fuzz` runs more.
 * INTAKE_FUZZ_SEED runs another seed; INTAKE_FUZZ_ONLY=<text> only the operations whose
 * `METHOD path` contains the text (each operation's seed stays the same, so a failure replays).
 */
const RUNS = Number(process.env.INTAKE_FUZZ_RUNS ?? 20);
const SEED = Number(process.env.INTAKE_FUZZ_SEED ?? 16_04_2026);
const DEADLINE_MS = 5_000;
/** Past this many rows a fresh server is started: each request digests the whole store. */
const MAX_ROWS = 1_500;
/** Only the operations whose `METHOD path` contains this text (to replay one failure). */
const ONLY = process.env.INTAKE_FUZZ_ONLY ?? '';
/** `npm run fuzz` prints each operation as it is done, and each failure when it is found. */
const PROGRESS = process.env.INTAKE_FUZZ_PROGRESS === '1';

interface Failure {
  operation: string;
  error: string;
  request: string;
}

describe.each(dialects)('bad input on every route on %s', (dialect) => {
  let world: FuzzWorld;

  beforeAll(async () => {
    world = await FuzzWorld.start(dialect);
  });
  afterAll(() => world?.close());

  it('finds every route and method of the OpenAPI document, and the routes it hides', () => {
    const routes = new Set(world.operations.map((op) => `${op.method} ${op.path}`));
    expect(routes.size).toBe(world.operations.length);
    // A sample of each family, so that a document that lost its routes cannot pass unnoticed.
    for (const route of [
      'POST /api/v1/acquisitions',
      'PATCH /api/v1/acquisitions/{id}/records/{recordId}',
      'POST /api/v1/acquisitions/{id}/imports',
      'POST /api/v1/acquisitions/{id}/records/{recordId}/files/{field}',
      'PATCH /tmf-api/party/v4/individual/{id}',
      'DELETE /api/v1/tokens/{id}',
    ])
      expect(routes).toContain(route);
    expect(world.operations.length).toBeGreaterThanOrEqual(77 + 9);
  });

  it(
    'answers bad input with 4xx, within 5 s, and stores nothing when it refuses',
    async () => {
      const failures: Failure[] = [];
      const reached = new Map<string, number>();
      for (const [index, op] of world.operations.entries()) {
        const name = `${op.method} ${op.path}`;
        if (!name.includes(ONLY)) continue;
        reached.set(name, 0);
        const statuses = new Map<number, number>();
        // The store as the last request left it: a refused request must leave it so.
        let before = await world.digest();
        if (before.rows > MAX_ROWS) {
          await world.close();
          world = await FuzzWorld.start(dialect);
          before = await world.digest();
        }
        const result = await fc.check(
          fc.asyncProperty(requestsFor(op, world), async (request) => {
            const answer = await sendRaw(world.port, toRaw(request, world), DEADLINE_MS);
            statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
            if (answer.status >= 500)
              throw new Error(`answered ${answer.status}: ${answer.body.slice(0, 300)}`);
            if (answer.status >= 200 && answer.status < 300) {
              await world.settle();
              before = await world.digest();
            } else {
              expect(await world.digest(), `refused with ${answer.status}`).toEqual(before);
            }
            if (![401, 403].includes(answer.status) && !answer.body.includes('route.not-found'))
              reached.set(name, (reached.get(name) ?? 0) + 1);
          }),
          { seed: SEED + index, numRuns: RUNS, endOnFailure: true },
        );
        if (result.failed)
          failures.push({
            operation: name,
            error: String(result.errorInstance).slice(0, 2000),
            request: describeRequest(result.counterexample?.[0]),
          });
        if (PROGRESS) {
          const outcome = result.failed
            ? `FAILED ${failures.at(-1)?.error.slice(0, 500)} ${failures.at(-1)?.request.slice(0, 500)}`
            : [...statuses].map(([status, n]) => `${status}×${n}`).join(' ');
          console.log(`${dialect} ${index + 1}/${world.operations.length} ${name}: ${outcome}`);
        }
      }
      expect(failures).toEqual([]);
      // The fuzz reached the handler of every operation, not only the authentication in front.
      expect([...reached].filter(([, n]) => n === 0).map(([name]) => name)).toEqual([]);
    },
    RUNS * 8_000,
  );
});

/** A failing request, short enough to read: long strings cut, the body as text. */
function describeRequest(request: FuzzRequest | undefined): string {
  if (!request) return '';
  const body = request.body?.toString('utf8') ?? '';
  return JSON.stringify({
    ...request,
    path: request.path.slice(0, 300),
    body: body.length > 300 ? `${body.slice(0, 300)}… (${body.length} bytes)` : body,
  });
}
