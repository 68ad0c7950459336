/** Maps parts of the canonical proposal back to JSON pointers in the document that was sent. */
export interface ProposalLocator {
  state: string;
  item: (index: number) => string;
  productSpecification: (index: number) => string;
  characteristic: (index: number, name: string) => string;
  itemSite: (index: number, siteIndex: number) => string;
  site: (index: number) => string;
}
