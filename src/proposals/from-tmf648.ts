import { pointerOf } from '../schema/ajv.js';
import type { ProblemDetail } from '../errors.js';
import type { ProposalLocator } from './locator.js';
import type {
  Proposal,
  ProposalAddress,
  ProposalContact,
  ProposalItem,
  ProposalSite,
} from './proposal.js';

/** The parts of a TMF648 v4 Quote that Intake reads (validated against the swagger first). */
interface Party {
  id?: string;
  name?: string;
  role?: string;
  '@referredType'?: string;
}
interface Place extends Record<string, unknown> {
  id?: string;
  name?: string;
  role?: string;
}
interface QuoteItem {
  id?: string;
  action?: string;
  quantity?: number;
  product?: {
    productSpecification?: { id?: string; name?: string };
    productCharacteristic?: { name: string; value: unknown }[];
    place?: Place[];
  };
  quoteItem?: QuoteItem[];
}
export interface Tmf648Quote {
  id?: string;
  externalId?: string;
  description?: string;
  state?: string;
  quoteDate?: string;
  effectiveQuoteCompletionDate?: string;
  relatedParty?: Party[];
  contactMedium?: { mediumType?: string; characteristic?: Record<string, string | undefined> }[];
  quoteItem: QuoteItem[];
}

const str = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : undefined);

function addressOf(place: Place): ProposalAddress {
  const sub = Array.isArray(place.geographicSubAddress)
    ? (place.geographicSubAddress[0] as Record<string, unknown> | undefined)
    : undefined;
  const address: ProposalAddress = {
    streetNr: str(place.streetNr),
    streetName:
      [str(place.streetName), str(place.streetType)].filter(Boolean).join(' ') || undefined,
    city: str(place.city),
    stateOrProvince: str(place.stateOrProvince),
    postcode: str(place.postcode),
    country: str(place.country)?.toUpperCase(),
    building: str(sub?.buildingName),
    floor: str(sub?.levelNumber),
    suite: str(sub?.subUnitNumber) ?? str(sub?.name),
  };
  return Object.fromEntries(Object.entries(address).filter(([, v]) => v !== undefined));
}

/** `technicalContact` / `Technical Contact` / `technical` → `technical`. */
export function contactRoleOf(role: string): string {
  const words = role
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[\s_-]+/)
    .filter((w) => w && w !== 'contact');
  return words.join('-') || 'primary';
}

const isCustomer = (p: Party) => /customer/i.test(p.role ?? '');

/**
 * Converts a schema-valid TMF648 Quote to the canonical proposal.
 * Sites come from `quoteItem[].product.place` (GeographicAddress attributes inline), the
 * customer from the `relatedParty` with role Customer, contacts from the other related parties,
 * and their email and phone from `contactMedium` whose `contactType` names the party's role.
 */
export function fromTmf648(quote: Tmf648Quote): {
  proposal: Proposal;
  locate: ProposalLocator;
  problems: ProblemDetail[];
} {
  const problems: ProblemDetail[] = [];
  const parties = quote.relatedParty ?? [];
  const customerParty =
    parties.find(isCustomer) ?? parties.find((p) => p['@referredType'] === 'Organization');
  if (!customerParty) {
    problems.push({
      pointer: '/relatedParty',
      detail: 'must include the customer: a related party with role "Customer"',
    });
  }
  const media = quote.contactMedium ?? [];
  const mediumFor = (role: string | undefined) =>
    media.filter((m) => {
      const type = m.characteristic?.contactType;
      return role === undefined
        ? !type
        : type !== undefined && contactRoleOf(type) === contactRoleOf(role);
    });
  const pick = (list: typeof media, key: 'emailAddress' | 'phoneNumber') =>
    list.map((m) => str(m.characteristic?.[key])).find(Boolean);

  const contacts: ProposalContact[] = parties
    .filter((p) => p !== customerParty)
    .map((p) => {
      const found = mediumFor(p.role ?? 'primary');
      const contact: ProposalContact = { role: contactRoleOf(p.role ?? 'primary'), name: p.name };
      const email = pick(found, 'emailAddress');
      const phone = pick(found, 'phoneNumber');
      if (email) contact.email = email;
      if (phone) contact.phone = phone;
      return contact;
    });
  const customerMedia = mediumFor(undefined);
  const attributes: Record<string, string> = {};
  const customerEmail = pick(customerMedia, 'emailAddress');
  const customerPhone = pick(customerMedia, 'phoneNumber');
  if (customerEmail) attributes.email = customerEmail;
  if (customerPhone) attributes.phone = customerPhone;

  const sites = new Map<string, ProposalSite>();
  const sitePointers: string[] = [];
  const items: ProposalItem[] = [];
  const itemPointers: string[] = [];
  const characteristicPointers: Map<string, string>[] = [];

  const visit = (list: QuoteItem[], base: string) => {
    list.forEach((qi, index) => {
      const at = `${base}/${index}`;
      if (qi.action === 'delete' || qi.action === 'noChange') return;
      const product = qi.product ?? {};
      const spec = str(product.productSpecification?.id) ?? str(product.productSpecification?.name);
      if (!spec) {
        problems.push({
          pointer: `${at}/product/productSpecification/id`,
          detail: 'is required: which product specification was agreed',
        });
      }
      const siteIds: string[] = [];
      (product.place ?? []).forEach((place, p) => {
        const id = str(place.id);
        if (!id) {
          problems.push({
            pointer: `${at}/product/place/${p}/id`,
            detail: 'is required: each place needs an id',
          });
          return;
        }
        siteIds.push(id);
        if (!sites.has(id)) {
          sites.set(id, { id, name: str(place.name) ?? id, address: addressOf(place) });
          sitePointers.push(`${at}/product/place/${p}`);
        }
      });
      const characteristics: Record<string, unknown> = {};
      const pointers = new Map<string, string>();
      (product.productCharacteristic ?? []).forEach((c, ci) => {
        characteristics[c.name] = c.value;
        pointers.set(c.name, `${at}/product/productCharacteristic/${ci}/value`);
      });
      if (spec) {
        items.push({
          id: str(qi.id) ?? at.slice(1).replace(/\//g, '.'),
          productSpecification: spec,
          quantity: qi.quantity ?? 1,
          characteristics,
          siteIds,
        });
        itemPointers.push(at);
        characteristicPointers.push(pointers);
      }
      if (qi.quoteItem) visit(qi.quoteItem, `${at}/quoteItem`);
    });
  };
  visit(quote.quoteItem, '/quoteItem');

  const reference = str(quote.id) ?? str(quote.externalId);
  if (!reference)
    problems.push({ pointer: '/id', detail: 'is required: the quote id identifies the proposal' });

  const proposal: Proposal = {
    reference: reference ?? '',
    format: 'tmf648',
    name: quote.description,
    agreedAt: quote.effectiveQuoteCompletionDate ?? quote.quoteDate,
    customer: {
      id: customerParty?.id,
      name: customerParty?.name ?? customerParty?.id ?? '',
      attributes,
    },
    contacts,
    sites: [...sites.values()],
    items,
  };
  return {
    proposal,
    problems,
    locate: {
      state: '/state',
      item: (i) => itemPointers[i] ?? '/quoteItem',
      productSpecification: (i) =>
        `${itemPointers[i] ?? '/quoteItem'}/product/productSpecification/id`,
      characteristic: (i, name) =>
        characteristicPointers[i]?.get(name) ?? `${itemPointers[i]}/product/productCharacteristic`,
      itemSite: (i) => `${itemPointers[i]}/product/place`,
      site: (i) => sitePointers[i] ?? pointerOf('quoteItem'),
    },
  };
}
