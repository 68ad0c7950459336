import { describe, expect, it } from 'vitest';
import { staffFirstRequests } from './early-requests.js';

describe('staffFirstRequests', () => {
  it('asks for the session alone where no acquisition is open', () => {
    expect(staffFirstRequests('/app/tokens', '')).toEqual(['/session']);
    expect(staffFirstRequests('/app', '')).toEqual(['/session', '/acquisitions?limit=25&offset=0']);
  });

  it('asks for what each tab of an acquisition shows first', () => {
    const a = '/acquisitions/7f3c';
    expect(staffFirstRequests('/app/acquisitions/7f3c', '')).toEqual([
      '/session',
      a,
      `${a}/forms`,
      `${a}/plan`,
      `${a}/work`,
    ]);
    expect(staffFirstRequests('/app/acquisitions/7f3c/problems', '?owner=customer')).toEqual([
      '/session',
      a,
      `${a}/forms`,
      `${a}/work`,
    ]);
    expect(staffFirstRequests('/app/acquisitions/7f3c/data', '?entity=hunt group')).toEqual([
      '/session',
      a,
      `${a}/forms`,
      `${a}/records?entity=hunt%20group&limit=100&offset=0`,
    ]);
    // Without an entity the tab shows the first of the form context's: not known yet.
    expect(staffFirstRequests('/app/acquisitions/7f3c/data', '')).toEqual([
      '/session',
      a,
      `${a}/forms`,
    ]);
  });
});
