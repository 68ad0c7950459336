import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';

/**
 * The deepest nesting of arrays and objects a request body may have. Intake's deepest documents
 * (TMF648 quotes, TMF632 parties) nest about ten levels; every check after the parser (the NUL
 * guard, schema validation, merge patches) walks a value recursively, and a body nested some
 * thousands of levels would exhaust the stack there (a 500).
 */
export const MAX_BODY_DEPTH = 64;

/**
 * True when `value` nests arrays or objects more than `limit` levels deep. Walks with its own
 * stack, so that any depth can be measured, and stops at the first level past the limit.
 *
 * @example
 * exceedsDepth([[[1]]], 2) // true
 * exceedsDepth({ a: { b: 1 } }, 2) // false
 */
export function exceedsDepth(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > limit) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** The refusal of a body nested deeper than `MAX_BODY_DEPTH`. */
export const tooDeep = () =>
  new AppError(
    'request.too-deep',
    400,
    `The request body nests arrays and objects more than ${MAX_BODY_DEPTH} levels deep; no document Intake takes needs that many.`,
  );

/**
 * Refuses, before anything walks it, a parsed body nested more than `MAX_BODY_DEPTH` levels: 400
 * `request.too-deep` rather than a stack overflow (a 500) in the checks that follow. Register it
 * before the other preValidation hooks.
 */
export function registerDepthGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (exceedsDepth(request.body, MAX_BODY_DEPTH)) throw tooDeep();
  });
}
