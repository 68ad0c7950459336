import { buildProposal } from '../../src/test/factories.js';

/** What the seed bodies may name: ids the server knows now. */
export interface Known {
  recordId: string;
  callback: string;
}

/**
 * A valid body for the operations whose schema alone rarely yields one (a proposal, a record
 * write, an answer): the fuzz breaks one part of it at a time, so that the rest gets past the
 * schema and reaches the service. Keyed by `METHOD path`; a function, so that ids and proposal
 * references are fresh when drawn.
 */
export const VALID_BODIES: Record<string, (known: Known) => unknown> = {
  'POST /api/v1/tokens': () => ({ name: 'fuzz token', role: 'viewer' }),
  'POST /api/v1/acquisitions': () => buildProposal(),
  'POST /api/v1/acquisitions/{id}/records': () => ({
    entity: 'user',
    values: { firstName: 'Ann', lastName: 'Lee' },
    site: 'leeds',
  }),
  'POST /api/v1/acquisitions/{id}/records/bulk': ({ recordId }) => ({
    records: [
      { entity: 'user', values: { firstName: 'Ann', lastName: 'Lee' } },
      { id: recordId, values: { firstName: 'Bo' } },
    ],
  }),
  'PATCH /api/v1/acquisitions/{id}/records/{recordId}': () => ({
    firstName: 'Ann',
    lastName: 'Lee',
  }),
  'POST /api/v1/acquisitions/{id}/interview/answers': ({ recordId }) => ({
    recordId,
    field: 'firstName',
    value: 'Ann',
    note: 'said on the phone',
  }),
  'POST /api/v1/acquisitions/{id}/interview/matrix-answers': ({ recordId }) => ({
    field: 'lastName',
    value: 'Lee',
    records: [{ recordId }],
  }),
  'POST /api/v1/acquisitions/{id}/interview/calls': () => ({ contact: 'Sam Example' }),
  'PATCH /api/v1/acquisitions/{id}/interview/calls/{callId}': () => ({ notes: 'Rang back' }),
  'POST /api/v1/acquisitions/{id}/links': () => ({ contactName: 'Sam Example', expiresInDays: 7 }),
  'POST /api/v1/listener/quoteStateChangeEvent': () => ({
    eventType: 'QuoteStateChangeEvent',
    event: { quote: { id: 'Q-FUZZ-1', state: 'accepted' } },
  }),
  'POST /api/v1/hub': ({ callback }) => ({ callback }),
  'POST /tmf-api/customerManagement/v4/hub': ({ callback }) => ({ callback }),
  'POST /tmf-api/party/v4/hub': ({ callback }) => ({ callback }),
  'POST /tmf-api/customerManagement/v4/customer': () => ({ name: 'Fuzz Customer' }),
  'PATCH /tmf-api/customerManagement/v4/customer/{id}': () => ({ name: 'Renamed' }),
  'POST /tmf-api/party/v4/organization': () => ({ name: 'Fuzz Organization' }),
  'PATCH /tmf-api/party/v4/organization/{id}': () => ({ tradingName: 'Fuzz' }),
  'POST /tmf-api/party/v4/individual': () => ({ givenName: 'Ann', familyName: 'Lee' }),
  'PATCH /tmf-api/party/v4/individual/{id}': () => ({ givenName: 'Bo' }),
};

/** Every path to a part of a JSON value (`[]` is the value itself). */
export function partsOf(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  const parts = [at];
  if (Array.isArray(value)) value.forEach((v, i) => parts.push(...partsOf(v, [...at, i])));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) parts.push(...partsOf(v, [...at, k]));
  return parts;
}

/** A copy of `value` with the part at `path` replaced (or removed, for `undefined`). */
export function replacePart(value: unknown, path: (string | number)[], next: unknown): unknown {
  if (path.length === 0) return next;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy: unknown[] = [...(value as unknown[])];
    if (next === undefined && rest.length === 0) copy.splice(Number(head), 1);
    else copy[Number(head)] = replacePart(copy[Number(head)], rest, next);
    return copy;
  }
  const copy = { ...(value as Record<string, unknown>) };
  if (next === undefined && rest.length === 0) delete copy[String(head)];
  else copy[String(head)] = replacePart(copy[String(head)], rest, next);
  return copy;
}
