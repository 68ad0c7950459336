/**
 * The canonical agreed proposal, whichever form it arrived in (TMF648 Quote or native JSON).
 * Everything downstream of intake (plan, capture, handover) reads only this shape.
 */
export type ProposalFormat = 'tmf648' | 'native';

/** A postal address as the proposal stage captured it; every part is optional. */
export interface ProposalAddress {
  streetNr?: string;
  streetName?: string;
  line2?: string;
  city?: string;
  stateOrProvince?: string;
  postcode?: string;
  /** ISO 3166-1 alpha-2. */
  country?: string;
  building?: string;
  floor?: string;
  suite?: string;
}

/** A site (TMF place) named in the proposal. */
export interface ProposalSite {
  id: string;
  name: string;
  address: ProposalAddress;
}

/** A person on the customer side, with the role the proposal gives them. */
export interface ProposalContact {
  role: string;
  name?: string;
  email?: string;
  phone?: string;
  title?: string;
}

export interface ProposalCustomer {
  id?: string;
  name: string;
  /** Anything else the proposal carried about the customer (registration number, sector…). */
  attributes: Record<string, string>;
}

/** One quote item: a product specification, its quantity, its characteristics and its sites. */
export interface ProposalItem {
  id: string;
  productSpecification: string;
  quantity: number;
  /** Characteristic name → value, as agreed on the quote item. */
  characteristics: Record<string, unknown>;
  /** Ids of the proposal sites this item is delivered at; empty means "all sites". */
  siteIds: string[];
}

export interface Proposal {
  /** The proposal's (quote's) own identifier in the system it came from. */
  reference: string;
  format: ProposalFormat;
  name?: string;
  agreedAt?: string;
  customer: ProposalCustomer;
  contacts: ProposalContact[];
  sites: ProposalSite[];
  items: ProposalItem[];
}
