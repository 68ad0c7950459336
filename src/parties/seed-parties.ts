import type { Kysely } from 'kysely';
import type { AcquisitionWithProposal } from '../acquisitions/acquisition.js';
import type { Database } from '../db/schema.js';
import type { ProposalContact } from '../proposals/proposal.js';
import {
  CUSTOMER,
  INDIVIDUAL,
  ORGANIZATION,
  type TmfDocument,
  type TmfResourceStore,
} from './tmf-resources.js';

/** A contact's email and phone as TMF contact media. */
export function contactMedium(contact: Pick<ProposalContact, 'email' | 'phone'>): TmfDocument[] {
  return [
    ...(contact.email
      ? [{ mediumType: 'email', preferred: true, characteristic: { emailAddress: contact.email } }]
      : []),
    ...(contact.phone
      ? [{ mediumType: 'phone', characteristic: { phoneNumber: contact.phone } }]
      : []),
  ];
}

/** "Priya Nair" → given name Priya, family name Nair; one word is a family name. */
export function splitName(name: string): { givenName: string; familyName: string } {
  const parts = name.trim().split(/\s+/);
  if (parts.length === 1) return { givenName: parts[0]!, familyName: parts[0]! };
  return { givenName: parts.slice(0, -1).join(' '), familyName: parts.at(-1)! };
}

/**
 * The customer record an acquisition starts: the organization (TMF632), its contacts as
 * individuals (TMF632), and the customer (TMF629) engaging the organization, with the contacts
 * as related parties. Written in the transaction that opens the acquisition.
 */
export async function seedParties(
  store: TmfResourceStore,
  trx: Kysely<Database>,
  acquisition: AcquisitionWithProposal,
): Promise<void> {
  const { proposal } = acquisition;
  const options = { acquisitionId: acquisition.id, db: trx };
  const organizationId = await store.create(
    ORGANIZATION,
    {
      name: proposal.customer.name,
      tradingName: proposal.customer.name,
      isLegalEntity: true,
      status: 'validated',
      ...(proposal.customer.id
        ? {
            externalReference: [
              { externalReferenceType: 'proposalCustomerId', name: proposal.customer.id },
            ],
          }
        : {}),
    },
    options,
  );
  const people: TmfDocument[] = [];
  for (const contact of proposal.contacts) {
    if (!contact.name) continue;
    const id = await store.create(
      INDIVIDUAL,
      {
        ...splitName(contact.name),
        ...(contact.title ? { title: contact.title } : {}),
        contactMedium: contactMedium(contact),
      },
      options,
    );
    people.push({ id, name: contact.name, role: contact.role, '@referredType': 'Individual' });
  }
  const first = proposal.contacts.find((c) => c.email || c.phone);
  await store.create(
    CUSTOMER,
    {
      name: proposal.customer.name,
      status: 'Initialized',
      engagedParty: {
        id: organizationId,
        name: proposal.customer.name,
        '@referredType': 'Organization',
      },
      relatedParty: people,
      contactMedium: first ? contactMedium(first) : [],
      characteristic: [
        { name: 'acquisitionId', value: acquisition.id, valueType: 'string' },
        { name: 'proposalReference', value: proposal.reference, valueType: 'string' },
      ],
    },
    options,
  );
}
