import { describe, expect, it } from 'vitest';
import type { EntitySpec } from '../catalog/model.js';
import type { ProposalSite } from '../proposals/proposal.js';
import type { CapturedRecord } from './record.js';
import {
  describeUnresolved,
  resolvableByName,
  resolveReferences,
  siteDirectory,
  userDirectory,
} from './reference-resolution.js';

const proposalSites: ProposalSite[] = [
  { id: 'leeds-hq', name: 'Leeds HQ', address: { postcode: 'LS1 4DL', country: 'GB' } },
  { id: 'manchester-depot', name: 'Manchester Depot', address: { postcode: 'M17 1HH' } },
  { id: 'hull-port', name: 'Hull Port Office', address: { postcode: 'HU9 1TA' } },
];
const siteRecord = (id: string, site: string | null, values: Record<string, unknown>) =>
  ({ id, entity: 'site', slot: null, site, values }) satisfies CapturedRecord;
const siteRecords = [
  siteRecord('rec-leeds', 'leeds-hq', { name: 'Leeds Head Office', postcode: 'LS1 4DL' }),
  siteRecord('man-air', null, { name: 'Manchester Airport', postcode: 'M90 1QX' }),
];
const sites = siteDirectory(proposalSites, siteRecords);

const users = userDirectory([
  { extension: '201', email: 'Jane.Doe@example.com', firstName: 'Jane', lastName: 'Doe' },
  { extension: '202', email: 'sam@example.com', firstName: 'Sam', lastName: 'Lee' },
  { extension: '203', email: 'sam.lee@example.com', firstName: 'Sam', lastName: 'Lee' },
]);

describe('site references', () => {
  it.each([
    ['the proposal site id', 'leeds-hq'],
    ['the id in another case', ' LEEDS-HQ '],
    ['the quote name', 'Leeds HQ'],
    ['the quote name, any case and spacing', 'leeds   hq'],
    ['the quote name with punctuation', 'Leeds, HQ.'],
    ['the site record name', 'Leeds Head Office'],
    ['the site record id', 'rec-leeds'],
    ['a unique prefix', 'leeds'],
    ['the postcode', 'LS1 4DL'],
    ['the postcode in lower case without the space', 'ls14dl'],
  ])('finds a proposal site by %s, and stores its id', (_, written) => {
    expect(sites.resolve(written)).toEqual({ kind: 'resolved', ref: 'leeds-hq' });
  });

  it('stores an extra site record (not in the proposal) by its record id', () => {
    expect(sites.resolve('Manchester Airport')).toEqual({ kind: 'resolved', ref: 'man-air' });
    expect(sites.resolve('m90 1qx')).toEqual({ kind: 'resolved', ref: 'man-air' });
  });

  it('reports a prefix that several sites share, with the candidates', () => {
    const found = sites.resolve('Man');
    expect(found.kind).toBe('ambiguous');
    expect(describeUnresolved(sites, 'Man', 'Site')).toBe(
      '"Man" matches 2 sites: Manchester Depot (manchester-depot), Manchester Airport (man-air); write the full name.',
    );
  });

  it('does not guess from fewer than three characters', () => {
    expect(sites.resolve('Hu')).toEqual({ kind: 'unknown' });
    expect(sites.resolve('Hul')).toEqual({ kind: 'resolved', ref: 'hull-port' });
  });

  it('reports an unknown name with the sites there are', () => {
    expect(sites.resolve('Londn HQ')).toEqual({ kind: 'unknown' });
    expect(describeUnresolved(sites, 'Londn HQ', 'Site')).toBe(
      '"Londn HQ" does not match any site in this order; sites are: Leeds HQ, Manchester Depot, Hull Port Office, Manchester Airport.',
    );
  });

  it('lists at most five candidates and how many more', () => {
    const many = siteDirectory(
      Array.from({ length: 8 }, (_, i) => ({
        id: `s${i}`,
        name: `Depot ${i}`,
        address: {},
      })),
      [],
    );
    expect(describeUnresolved(many, 'Depot', 'Site')).toBe(
      '"Depot" matches 8 sites: Depot 0 (s0), Depot 1 (s1), Depot 2 (s2), Depot 3 (s3), Depot 4 (s4) and 3 more; write the full name.',
    );
  });
});

describe('user references', () => {
  it.each([
    ['the extension', '201'],
    ['the email, any case', 'jane.doe@EXAMPLE.com'],
    ['the full name', 'Jane Doe'],
    ['the full name, any case and spacing', '  jane   DOE '],
  ])('finds a user by %s, and stores the extension', (_, written) => {
    expect(users.resolve(written)).toEqual({ kind: 'resolved', ref: '201' });
  });

  it('reports a name two users share', () => {
    expect(describeUnresolved(users, 'Sam Lee', 'User')).toBe(
      '"Sam Lee" matches 2 users: Sam Lee (202), Sam Lee (203); write the full name.',
    );
    expect(users.resolve('sam.lee@example.com')).toEqual({ kind: 'resolved', ref: '203' });
  });

  it('does not match users by prefix', () => {
    expect(users.resolve('Jane')).toEqual({ kind: 'unknown' });
  });
});

const handset: EntitySpec = {
  id: 'handset',
  name: 'Handset',
  fields: [
    { id: 'site', label: 'Site', type: 'string', reference: 'site', owner: 'customer' },
    {
      id: 'assignedUser',
      label: 'Assigned user',
      type: 'string',
      format: 'extension',
      reference: 'user',
      owner: 'customer',
    },
    {
      id: 'busyLampExtensions',
      label: 'BLF',
      type: 'array',
      items: { type: 'string', format: 'extension', reference: 'user' },
      owner: 'customer',
    },
    { id: 'label', label: 'Label', type: 'string', owner: 'customer' },
  ],
} as unknown as EntitySpec;
const directories = (target: string) =>
  target === 'site' ? sites : target === 'user' ? users : undefined;

describe('resolveReferences', () => {
  it('replaces each reference written by name with the canonical reference, item by item', () => {
    expect(
      resolveReferences(
        handset,
        {
          site: 'LS1 4DL',
          assignedUser: 'Jane Doe',
          busyLampExtensions: '202; jane.doe@example.com, Nobody Here',
          label: 'Leeds HQ',
        },
        directories,
      ),
    ).toEqual({
      site: 'leeds-hq',
      assignedUser: '201',
      busyLampExtensions: ['202', '201', 'Nobody Here'],
      label: 'Leeds HQ',
    });
  });

  it('keeps values it cannot resolve as written, and the same object when nothing changes', () => {
    const written = { site: 'Man', assignedUser: '0201', label: 'x' };
    expect(resolveReferences(handset, written, directories)).toBe(written);
  });

  it('resolves against the users of the same write', () => {
    const sameBatch = userDirectory([
      { extension: '301', firstName: 'New', lastName: 'Starter', email: 'new@example.com' },
    ]);
    expect(
      resolveReferences(handset, { assignedUser: 'New Starter' }, (t) =>
        t === 'user' ? sameBatch : undefined,
      ),
    ).toEqual({ assignedUser: '301' });
  });

  it('tells the browser which values the server will look up', () => {
    const [site, user, blf, label] = handset.fields;
    expect(resolvableByName(site!, 'Leeds HQ')).toBe(true);
    expect(resolvableByName(user!, '201')).toBe(false);
    expect(resolvableByName(user!, 'Jane Doe')).toBe(true);
    expect(resolvableByName(blf!, '201, Jane Doe')).toBe(true);
    expect(resolvableByName(label!, 'Leeds HQ')).toBe(false);
  });
});
