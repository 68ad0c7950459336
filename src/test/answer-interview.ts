import { expect } from 'vitest';
import type { DemoAnswers, AskedQuestion } from './fill-values.js';

/**
 * What answering needs of a server: Fastify's `inject` (a TestServer), or the same over real HTTP
 * (`overHttp` in http-client.ts, for servers in processes of their own).
 */
export interface Injects {
  app: {
    inject(request: {
      method: 'GET' | 'POST';
      url: string;
      headers: Record<string, string>;
      payload?: object;
    }): Promise<{ statusCode: number; body: string; json<T>(): T }>;
  };
}

/**
 * Answers an acquisition's interview with realistic values, round after round (an answer can make
 * a conditional field required), through the bulk records route as the caller: a staff token or a
 * customer link. `owner` asks only that owner's questions; `leave` keeps some unanswered.
 */
export async function answerInterview(
  server: Injects,
  acquisitionId: string,
  headers: Record<string, string>,
  answers: DemoAnswers,
  options: { owner?: string; leave?: (q: AskedQuestion) => boolean } = {},
): Promise<void> {
  const url = (path: string) => `/api/v1/acquisitions/${acquisitionId}${path}`;
  const ask = async (limit: number) =>
    (
      await server.app.inject({
        method: 'GET',
        url: url(`/interview?limit=${limit}${options.owner ? `&owner=${options.owner}` : ''}`),
        headers,
      })
    )
      .json<{ questions: (AskedQuestion & { reason?: string; problem?: string })[] }>()
      .questions.filter((q) => !options.leave?.(q));
  for (let round = 0; round < 6; round++) {
    const questions = await ask(500);
    if (questions.length === 0) return;
    const patches = new Map<string, Record<string, unknown>>();
    for (const q of questions)
      patches.set(q.recordId, { ...patches.get(q.recordId), [q.field]: answers.value(q) });
    const response = await server.app.inject({
      method: 'POST',
      url: url('/records/bulk'),
      headers,
      payload: { records: [...patches].map(([recordId, values]) => ({ id: recordId, values })) },
    });
    expect(response.statusCode, response.body.slice(0, 500)).toBe(200);
  }
  const left = (await ask(20)).map((q) => [q.entity, q.field, q.reason, q.problem]);
  throw new Error(`the interview did not converge: ${JSON.stringify(left)}`);
}
