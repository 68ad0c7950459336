import type { Catalog, CharacteristicSpec } from '../catalog/model.js';
import type { ProblemDetail } from '../errors.js';
import type { ProposalLocator } from './locator.js';
import type { Proposal } from './proposal.js';

/** What is wrong with a well-formed proposal against the catalogue, split by kind. */
export interface ProposalProblems {
  unknownProducts: ProblemDetail[];
  invalid: ProblemDetail[];
}

function checkCharacteristic(
  spec: CharacteristicSpec,
  value: unknown,
  features: readonly string[] | undefined,
): string | undefined {
  switch (spec.type) {
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return 'must be a whole number';
      break;
    case 'number':
      if (typeof value !== 'number') return 'must be a number';
      break;
    case 'boolean':
      if (typeof value !== 'boolean') return 'must be true or false';
      break;
    case 'string':
      if (typeof value !== 'string') return 'must be text';
      break;
    case 'array':
      if (!Array.isArray(value)) return 'must be a list';
      if (spec.name === 'features' && features) {
        const unknown = value.filter((v) => typeof v !== 'string' || !features.includes(v));
        if (unknown.length > 0) {
          return `names features this product does not offer: ${unknown.map(String).join(', ')} (offered: ${features.join(', ')})`;
        }
      }
      return undefined;
  }
  if (spec.enum && !spec.enum.includes(value as string | number))
    return `must be one of: ${spec.enum.join(', ')}`;
  if (typeof value === 'number' && spec.minimum !== undefined && value < spec.minimum)
    return `must be at least ${spec.minimum}`;
  if (typeof value === 'number' && spec.maximum !== undefined && value > spec.maximum)
    return `must be at most ${spec.maximum}`;
  return undefined;
}

/**
 * Checks a proposal against the catalogue: every product specification known, every site
 * referenced exists, ids unique, declared characteristics of the right type and features offered.
 */
export function checkProposal(
  proposal: Proposal,
  catalog: Catalog,
  locate: ProposalLocator,
): ProposalProblems {
  const problems: ProposalProblems = { unknownProducts: [], invalid: [] };
  const siteIds = new Set<string>();
  proposal.sites.forEach((site, i) => {
    if (siteIds.has(site.id))
      problems.invalid.push({
        pointer: `${locate.site(i)}/id`,
        detail: `repeats site id "${site.id}"`,
      });
    siteIds.add(site.id);
  });
  const itemIds = new Set<string>();
  const known = [...catalog.products.keys()].join(', ');
  proposal.items.forEach((item, i) => {
    if (itemIds.has(item.id))
      problems.invalid.push({
        pointer: `${locate.item(i)}/id`,
        detail: `repeats item id "${item.id}"`,
      });
    itemIds.add(item.id);
    item.siteIds.forEach((id, j) => {
      if (!siteIds.has(id)) {
        problems.invalid.push({
          pointer: locate.itemSite(i, j),
          detail: `names site "${id}", which the proposal does not list`,
        });
      }
    });
    const product = catalog.products.get(item.productSpecification);
    if (!product) {
      problems.unknownProducts.push({
        pointer: locate.productSpecification(i),
        detail: `"${item.productSpecification}" is not a product specification in the catalogue (known: ${known})`,
        code: 'proposal.unknown-product',
      });
      return;
    }
    for (const spec of product.characteristics ?? []) {
      if (!(spec.name in item.characteristics)) {
        if (spec.required)
          problems.invalid.push({
            pointer: locate.characteristic(i, spec.name),
            detail: `lacks characteristic "${spec.name}", which every ${product.name} must carry`,
          });
        continue;
      }
      const message = checkCharacteristic(spec, item.characteristics[spec.name], product.features);
      if (message)
        problems.invalid.push({
          pointer: locate.characteristic(i, spec.name),
          detail: `characteristic "${spec.name}" ${message}`,
        });
    }
  });
  if (
    proposal.sites.length === 0 &&
    proposal.items.some((item) =>
      catalog.products
        .get(item.productSpecification)
        ?.needs?.some((n) => n.cardinality.kind === 'perSite'),
    )
  ) {
    problems.invalid.push({
      pointer: locate.site(0).replace(/\/\d+$/, ''),
      detail: 'must list at least one site: the products agreed are delivered at sites',
    });
  }
  return problems;
}
