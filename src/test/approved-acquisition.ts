import { expect } from 'vitest';
import type { NativeProposal } from '../proposals/native-schema.js';
import { answerInterview } from './answer-interview.js';
import { DemoAnswers } from './fill-values.js';
import { openAcquisition } from './open-acquisition.js';
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
  const id = await openAcquisition(server, proposal);
  offset += 1000;
  const answers = new DemoAnswers(
    proposal.sites.map((s) => s.id),
    offset,
  );
  await answerInterview(server, id, server.auth('sales'), answers);
  await submitAndApprove(server, id);
  return id;
}

/** Submits a complete acquisition (sales) and approves it (engineering), with the customer's confirmation. */
export async function submitAndApprove(server: TestServer, id: string): Promise<void> {
  const url = (path: string) => `/api/v1/acquisitions/${id}${path}`;
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
}
