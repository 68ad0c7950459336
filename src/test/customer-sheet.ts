import ExcelJS from 'exceljs';
import type { NativeProposal } from '../proposals/native-schema.js';
import { buildProposal } from './factories.js';
import { openAcquisition } from './open-acquisition.js';
import type { TestServer } from './server.js';

/**
 * A customer's own handset list, shaped like the ones customers send rather than like Intake's
 * template: a title block, the header on row 3, a user and their handset on each row, the site by
 * name, phone numbers and MAC addresses in mixed notations, blank lines, and planted mistakes.
 * The people, numbers (Ofcom's drama ranges) and MACs are made up.
 */
export const CUSTOMER_SHEET_TITLE = [
  ['Harbour & Vale Logistics - phone rollout'],
  ['Exported from the HR system, 20/11/2026. Please check before sending.'],
];

export const CUSTOMER_SHEET_HEADER = [
  'Ext.',
  'First Name',
  'Surname',
  'E-mail address',
  'DDI',
  'MAC Addr',
  'Phone Model',
  'Location',
  'Notes',
];

/** Data rows, by spreadsheet row number (the header is row 3); blank lines are left out. */
export const CUSTOMER_SHEET_ROWS: Record<number, string[]> = {
  4: [
    '2001',
    'Aisha',
    'Khan',
    'aisha.khan@harbourvale.example',
    '020 7946 0101',
    '80:5E:C0:12:34:01',
    'Yealink T54W',
    'London HQ',
    '',
  ],
  5: [
    '2002',
    'Ben',
    "O'Neill",
    'Ben.ONeill@harbourvale.example',
    '+44 20 7946 0102',
    '805e.c012.3402',
    'Yealink T54W',
    'London HQ',
    'Reception desk',
  ],
  7: [
    '2003',
    'Chloé',
    'Dubois',
    'chloe.dubois@harbourvale.example',
    '+44 (0)20 7946 0103',
    '80-5E-C0-12-34-03',
    'Yealink T43U',
    'London HQ',
    '',
  ],
  8: [
    '2004',
    'Dev',
    'Patel',
    'dev.patel@harbourvale.example',
    '02079460104',
    '805EC0123404',
    'Yealink T54W',
    'London HQ',
    'Left-handed',
  ],
  9: [
    '2004',
    'Emma',
    'Walsh',
    'emma.walsh@harbourvale.example',
    '020 7946 0105',
    '80:5E:C0:12:34:05',
    'Yealink T54W',
    'London HQ',
    '',
  ],
  10: [
    '2006',
    'Finn',
    'Murphy',
    'finn.murphy@harbourvale.example',
    '020 7946 0106',
    '80:5E:C0:12:34:06',
    'Yealink T54W',
    'London HQ',
    'New starter',
  ],
  12: [
    '3001',
    'Grace',
    'Lee',
    'grace.lee@harbourvale.example',
    '0161 496 0201',
    '80:5E:C0:12:34:07',
    'Yealink T43U',
    'Manchester',
    '',
  ],
  13: [
    '3002',
    'Hugo',
    'Silva',
    'hugo.silva.harbourvale.example',
    '0161 496 0202',
    '80:5E:C0:12:34:08',
    'Yealink T43U',
    'Manchester',
    '',
  ],
  14: [
    '3003',
    'Isla',
    'Grant',
    'isla.grant@harbourvale.example',
    '0161 496 0203',
    '80:5E:C0:12:34',
    'Yealink T43U',
    'Manchester',
    '',
  ],
  15: [
    '3004',
    'Jack',
    'Brown',
    'jack.brown@harbourvale.example',
    '+44 161 496 0204',
    '80:5e:c0:12:34:0a',
    'Yealink T43U',
    'Manchester',
    'Warehouse office',
  ],
};

/**
 * The mistakes planted in the sheet, as the import must report them: the row, the column letter
 * and the rule. Rows 8 and 9 share extension 2004; row 10 is London's sixth user on a quote of
 * five (and its handset the sixth handset); row 13's email has no @; row 14's MAC has 10 digits.
 */
export const CUSTOMER_SHEET_PLANTED = [
  { row: 8, column: 'A', entity: 'user', rule: 'unique' },
  { row: 9, column: 'A', entity: 'user', rule: 'unique' },
  { row: 10, column: 'H', entity: 'user', rule: 'plan.above-site' },
  { row: 10, column: 'H', entity: 'handset', rule: 'plan.above-site' },
  { row: 13, column: 'D', entity: 'user', rule: 'format' },
  { row: 14, column: 'F', entity: 'handset', rule: 'format' },
];

/** The same sheet as rows of cells, row 1 first, with its blank lines. */
export function customerSheetCells(): string[][] {
  const rows: string[][] = [...CUSTOMER_SHEET_TITLE.map((r) => [...r]), [...CUSTOMER_SHEET_HEADER]];
  const last = Math.max(...Object.keys(CUSTOMER_SHEET_ROWS).map(Number));
  for (let n = 4; n <= last; n++) rows.push([...(CUSTOMER_SHEET_ROWS[n] ?? [])]);
  return rows;
}

/**
 * The quote the sheet answers: five seats in London and five in Manchester, each site with its
 * own number block (captured by engineering before the customer's sheet arrives).
 */
export function customerSheetProposal(): NativeProposal {
  const site = (id: string, name: string, street: string, city: string, postcode: string) => ({
    id,
    name,
    address: { streetNr: '1', streetName: street, city, postcode, country: 'GB' },
  });
  return buildProposal({
    customer: { id: 'CUST-HV', name: 'Harbour & Vale Logistics Ltd' },
    contacts: [
      {
        role: 'primary',
        name: 'Priya Example',
        email: 'priya.example@harbourvale.example',
        phone: '+442079460999',
      },
    ],
    sites: [
      site('site-lon', 'London HQ', 'Tooley Street', 'London', 'SE1 2TU'),
      site('site-man', 'Manchester', 'Trafford Park Road', 'Manchester', 'M17 1HH'),
    ],
    items: [
      {
        id: 'group',
        productSpecification: 'hosted-voice',
        quantity: 1,
        characteristics: { numberBlocks: 2, extensionLength: 4 },
      },
      ...(['site-lon', 'site-man'] as const).map((id) => ({
        id: `seats-${id}`,
        productSpecification: 'hosted-voice-seat',
        quantity: 5,
        sites: [id],
        characteristics: { features: [], handsetModel: 'Yealink T54W', userType: 'standard' },
      })),
    ],
  });
}

/** The number blocks engineering captured: London 020 7946 0100–0199, Manchester 0161 496 0200–0299. */
export const CUSTOMER_SHEET_BLOCKS = [
  { firstNumber: '+442079460100', lastNumber: '+442079460199', site: 'site-lon', source: 'new' },
  { firstNumber: '+441614960200', lastNumber: '+441614960299', site: 'site-man', source: 'new' },
];

export const COMBINED = 'Users and handsets';

/** The customer's answers for row `i` of the combined sheet (0-4 London, 5-9 Manchester). */
export function answers(i: number): Record<string, string> {
  const london = i < 5;
  const n = String(i + 1).padStart(2, '0');
  return {
    'First name (*)': [
      'Aisha',
      'Ben',
      'Chloé',
      'Dev',
      'Emma',
      'Grace',
      'Hugo',
      'Isla',
      'Jack',
      'Kim',
    ][i]!,
    'Last name *': [
      'Khan',
      "O'Neill",
      'Dubois',
      'Patel',
      'Walsh',
      'Lee',
      'Silva',
      'Grant',
      'Brown',
      'Park',
    ][i]!,
    'Email (*)': `person${n}@harbourvale.example`,
    'Extension *': london ? `20${n}` : `30${n}`,
    'Direct number': london ? `020 7946 01${n}` : `0161 496 02${n}`,
    'Site *': london ? 'London HQ' : 'Manchester',
    'MAC address *': `80:5E:C0:12:35:${n}`,
  };
}

/** Fills the combined sheet like a customer: a value per header, two of them wrong. */
export async function fillCombined(template: ArrayBuffer, mistakes: boolean): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(template);
  const sheet = workbook.getWorksheet(COMBINED)!;
  const headers = (sheet.getRow(1).values as (string | undefined)[]).map((v) => v ?? '');
  for (let i = 0; i < 10; i++) {
    const row = sheet.getRow(i + 2);
    const values = answers(i);
    if (mistakes && i === 2) values['MAC address *'] = '80:5E:C0:12:35'; // ten digits
    if (mistakes && i === 7) values['Email (*)'] = 'isla.grant.harbourvale.example'; // no @
    for (const [header, value] of Object.entries(values)) {
      const column = headers.indexOf(header);
      if (column < 1) throw new Error(`the combined sheet has no column "${header}"`);
      row.getCell(column).value = value;
    }
    row.commit();
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Opens the sheet's acquisition on a test server, with engineering's number blocks captured. */
export async function openCustomerSheetAcquisition(server: TestServer): Promise<string> {
  const id = await openAcquisition(server, customerSheetProposal());
  const blocks = (
    await server.app.inject({
      method: 'GET',
      url: `/api/v1/acquisitions/${id}/records?entity=numberBlock`,
      headers: server.auth('sales'),
    })
  ).json<{ items: { id: string }[] }>().items;
  await server.services.capture.engine.write(
    id,
    blocks.map((b, i) => ({ op: 'update' as const, id: b.id, patch: CUSTOMER_SHEET_BLOCKS[i]! })),
    { source: 'api', actor: 'engineer-test' },
  );
  return id;
}
