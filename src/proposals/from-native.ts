import { pointerOf } from '../schema/ajv.js';
import type { NativeProposal } from './native-schema.js';
import type { ProposalLocator } from './locator.js';
import type { Proposal } from './proposal.js';

/** Converts a schema-valid native proposal to the canonical form. */
export function fromNative(doc: NativeProposal): { proposal: Proposal; locate: ProposalLocator } {
  const proposal: Proposal = {
    reference: doc.reference,
    format: 'native',
    name: doc.name,
    agreedAt: doc.agreedAt,
    customer: {
      id: doc.customer.id,
      name: doc.customer.name,
      attributes: doc.customer.attributes ?? {},
    },
    contacts: (doc.contacts ?? []).map((c) => ({ ...c })),
    sites: doc.sites.map((s) => ({ id: s.id, name: s.name, address: { ...s.address } })),
    items: doc.items.map((i) => ({
      id: i.id,
      productSpecification: i.productSpecification,
      quantity: i.quantity,
      characteristics: { ...i.characteristics },
      siteIds: [...(i.sites ?? [])],
    })),
  };
  return {
    proposal,
    locate: {
      state: '/status',
      item: (i) => pointerOf('items', i),
      productSpecification: (i) => pointerOf('items', i, 'productSpecification'),
      characteristic: (i, name) => pointerOf('items', i, 'characteristics', name),
      itemSite: (i, j) => pointerOf('items', i, 'sites', j),
      site: (i) => pointerOf('sites', i),
    },
  };
}
