import { expect } from 'vitest';
import type { NativeProposal } from '../proposals/native-schema.js';
import { DemoAnswers, type AskedQuestion } from './fill-values.js';
import type { TestServer } from './server.js';

let offset = 0;

/**
 * Opens an acquisition from the proposal, answers every question of its interview with realistic
 * values (as sales), submits it and has an engineer approve it. Returns its id.
 */
export async function approvedAcquisition(
  server: TestServer,
  proposal: NativeProposal,
): Promise<string> {
  const created = await server.app.inject({
    method: 'POST',
    url: '/api/v1/acquisitions',
    headers: server.auth('sales'),
    payload: proposal,
  });
  expect(created.statusCode, created.body.slice(0, 300)).toBe(201);
  const id = created.json<{ id: string }>().id;
  const url = (path: string) => `/api/v1/acquisitions/${id}${path}`;
  offset += 1000;
  const answers = new DemoAnswers(
    proposal.sites.map((s) => s.id),
    offset,
  );
  for (let round = 0; ; round++) {
    const page = (
      await server.app.inject({
        method: 'GET',
        url: url('/interview?limit=500'),
        headers: server.auth('sales'),
      })
    ).json<{ total: number; questions: AskedQuestion[] }>();
    if (page.total === 0) break;
    if (round >= 6)
      throw new Error(
        `the interview did not converge: ${JSON.stringify(page.questions.slice(0, 5))}`,
      );
    const patches = new Map<string, Record<string, unknown>>();
    for (const q of page.questions)
      patches.set(q.recordId, { ...patches.get(q.recordId), [q.field]: answers.value(q) });
    const response = await server.app.inject({
      method: 'POST',
      url: url('/records/bulk'),
      headers: server.auth('sales'),
      payload: { records: [...patches].map(([recordId, values]) => ({ id: recordId, values })) },
    });
    expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
  }
  const submitted = await server.app.inject({
    method: 'POST',
    url: url('/submit'),
    headers: server.auth('sales'),
  });
  expect(submitted.statusCode, submitted.body.slice(0, 500)).toBe(200);
  const approved = await server.app.inject({
    method: 'POST',
    url: url('/approve'),
    headers: server.auth('engineer'),
    payload: { customerConfirmation: 'Confirmed by Sam Example by email on 26 November' },
  });
  expect(approved.statusCode, approved.body.slice(0, 500)).toBe(200);
  return id;
}
