import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { NativeProposal } from '../proposals/native-schema.js';
import type { ImportJob } from '../spreadsheets/import-repository.js';

type Item = NativeProposal['items'][number];

let sequence = 0;

/** A native agreed proposal with sensible defaults; override any part. */
export function buildProposal(overrides: Partial<NativeProposal> = {}): NativeProposal {
  sequence += 1;
  return {
    reference: `PRO-TEST-${String(sequence).padStart(4, '0')}`,
    status: 'agreed',
    customer: { id: 'CUST-1', name: 'Fenwick & Rowe Surveyors Ltd' },
    contacts: [
      {
        role: 'primary',
        name: 'Sam Example',
        email: 'sam@fenwick.example',
        phone: '+441632960001',
      },
    ],
    sites: [
      {
        id: 'york',
        name: 'York Office',
        address: {
          streetNr: '3',
          streetName: 'Micklegate',
          city: 'York',
          postcode: 'YO1 6JH',
          country: 'GB',
        },
      },
    ],
    items: [buildItem()],
    ...overrides,
  };
}

/** A quote item of the native form. */
export function buildItem(overrides: Partial<Item> = {}): Item {
  return {
    id: 'seats',
    productSpecification: 'hosted-voice-seat',
    quantity: 5,
    characteristics: { features: ['voicemail'] },
    ...overrides,
  };
}

/** A proposal of two voicemail seats with their handsets: small enough to answer whole and hand over. */
export function buildTwoSeatProposal(): NativeProposal {
  return buildProposal({
    items: [
      buildItem({
        id: 'seats',
        quantity: 2,
        characteristics: {
          features: ['voicemail'],
          handsetModel: 'Yealink T54W',
          userType: 'standard',
        },
      }),
    ],
  });
}

/** A site of the native form, in Great Britain unless told otherwise. */
export function buildSite(
  id: string,
  overrides: Partial<NativeProposal['sites'][number]> = {},
): NativeProposal['sites'][number] {
  return {
    id,
    name: `Site ${id}`,
    address: { streetName: 'High Street', city: 'Leeds', postcode: 'LS1 1AA', country: 'GB' },
    ...overrides,
  };
}

/**
 * A hosted-voice deal that ports its numbers: the group (with `group` characteristics), seats at
 * Leeds HQ and the York Office (`seats` of each) and a full number port.
 */
export function buildTwoSiteDeal(
  group: Record<string, unknown>,
  seats: { leeds: number; york: number },
  overrides: Partial<NativeProposal> = {},
): NativeProposal {
  return buildProposal({
    sites: [
      buildSite('leeds', { name: 'Leeds HQ' }),
      buildSite('york', { name: 'York Office', address: { city: 'York', country: 'GB' } }),
    ],
    items: [
      { id: 'group', productSpecification: 'hosted-voice', quantity: 1, characteristics: group },
      buildItem({ id: 'seats-leeds', quantity: seats.leeds, sites: ['leeds'] }),
      buildItem({ id: 'seats-york', quantity: seats.york, sites: ['york'] }),
      {
        id: 'port',
        productSpecification: 'number-port',
        quantity: 1,
        characteristics: { portType: 'full', losingCarrier: 'Northern Telecom Services' },
      },
    ],
    ...overrides,
  });
}

/** A fixture file from test/fixtures, parsed. */
export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(
    readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), 'utf8'),
  ) as T;
}

/** The TMF648 quote fixture for 3 sites and 120 seats, with overrides on the top level. */
export function buildQuote(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...fixture('tmf648-quote-3-sites-120-seats.json'), ...overrides };
}

/** An import job as the repository stores it: a running CSV import with nothing read yet. */
export function buildImportJob(
  acquisitionId: string,
  overrides: Partial<ImportJob> = {},
): ImportJob {
  return {
    id: randomUUID(),
    acquisitionId,
    idempotencyKey: null,
    requestHash: 'x'.repeat(64),
    fileName: 'users.csv',
    format: 'csv',
    mode: 'valid-rows',
    match: 'merge',
    status: 'running',
    applied: false,
    sheets: [],
    rowsRead: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    invalid: 0,
    error: null,
    actor: 'sales-test',
    createdAt: new Date().toISOString(),
    finishedAt: null,
    filesRemovedAt: null,
    createdBy: null,
    attempts: 1,
    ...overrides,
  };
}
