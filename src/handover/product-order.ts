import { isGiven, maskedValue } from '../secrets/secret-fields.js';
import type { EntitySpec, FieldSpec } from '../catalog/model.js';
import { groupOf, type AcquisitionContext } from '../capture/acquisition-context.js';
import type { StoredRecord } from '../capture/capture-repository.js';
import { carriesSiteName, siteNamesOf } from './site-names.js';

/** A TMF622 v4 ProductOrder, as far as Intake fills it. */
export interface ProductOrder {
  '@type': 'ProductOrder';
  externalId: string;
  description: string;
  category: string;
  quote: { id: string; '@referredType': 'Quote' }[];
  relatedParty: RelatedParty[];
  productOrderItem: ProductOrderItem[];
}

interface RelatedParty {
  id: string;
  name?: string;
  role: string;
  '@referredType': 'Organization' | 'Individual';
}

interface Characteristic {
  name: string;
  value: unknown;
  valueType: string;
}

interface ProductOrderItem {
  id: string;
  action: 'add';
  quantity: number;
  '@type': 'ProductOrderItem';
  product: {
    name?: string;
    isBundle?: boolean;
    productSpecification: { id: string; name?: string; '@referredType': 'ProductSpecification' };
    productCharacteristic: Characteristic[];
    place?: { id: string; name?: string; role: string; '@referredType': 'GeographicAddress' }[];
  };
  productOrderItemRelationship?: { id: string; relationshipType: string }[];
}

const valueTypeOf = (field: FieldSpec | undefined, value: unknown): string => {
  if (Array.isArray(value)) return 'array';
  if (field?.type === 'integer' || field?.type === 'number') return 'number';
  if (field?.type === 'boolean' || typeof value === 'boolean') return 'boolean';
  return 'string';
};

/** A record's values as characteristics, named by the catalogue's downstream mapping. */
function characteristicsOf(
  entity: EntitySpec,
  record: StoredRecord,
  siteName: (ref: string) => string | undefined,
): Characteristic[] {
  const out: Characteristic[] = [];
  for (const field of entity.fields) {
    const given = record.values[field.id];
    if (!isGiven(given)) continue;
    // The order carries that a secret was given, never the secret (provisioning reveals it).
    const value =
      carriesSiteName(field) && typeof given === 'string'
        ? (siteName(given) ?? given)
        : maskedValue(field, given);
    out.push({ name: field.mapping ?? field.id, value, valueType: valueTypeOf(field, value) });
  }
  return out;
}

/**
 * Builds the ProductOrder of an approved acquisition: one item per quote item (the bundle, with
 * the agreed characteristics and sites), and under it one item per ordered product instance, that
 * is per captured record (a seat's user, a handset, a site, a port request), with the record's
 * values as characteristics named by the catalogue's `mapping`. The quote and the parties are
 * referenced; `externalId` is the acquisition, which the order system can use to refuse a
 * duplicate. Pure: the records are read by the caller.
 */
export function buildProductOrder(
  ctx: AcquisitionContext,
  records: readonly StoredRecord[],
): ProductOrder {
  const { acquisition } = ctx;
  const { proposal } = acquisition;
  // Sites by their canonical reference: the quote's name, else the extra site record's.
  const siteName = siteNamesOf(proposal.sites, records);
  const placeOf = (site: string) => ({
    id: site,
    ...(siteName(site) !== undefined ? { name: siteName(site) } : {}),
    role: 'installationAddress',
    '@referredType': 'GeographicAddress' as const,
  });

  const byItem = new Map<string, StoredRecord[]>();
  const sorted = [...records].sort(
    (a, b) =>
      a.entity.localeCompare(b.entity) ||
      (a.slot ?? '\uffff').localeCompare(b.slot ?? '\uffff', 'en', { numeric: true }) ||
      a.id.localeCompare(b.id),
  );
  for (const record of sorted) {
    const item = groupOf(ctx, record)?.group.items[0]?.id ?? proposal.items[0]?.id;
    if (!item) continue;
    const list = byItem.get(item) ?? [];
    list.push(record);
    byItem.set(item, list);
  }

  const items: ProductOrderItem[] = [];
  for (const quoteItem of proposal.items) {
    const spec = ctx.catalog.products.get(quoteItem.productSpecification);
    const sites =
      quoteItem.siteIds.length > 0 ? quoteItem.siteIds : proposal.sites.map((s) => s.id);
    items.push({
      id: quoteItem.id,
      action: 'add',
      quantity: quoteItem.quantity,
      '@type': 'ProductOrderItem',
      product: {
        name: spec?.name ?? quoteItem.productSpecification,
        isBundle: true,
        productSpecification: {
          id: quoteItem.productSpecification,
          ...(spec ? { name: spec.name } : {}),
          '@referredType': 'ProductSpecification',
        },
        productCharacteristic: Object.entries(quoteItem.characteristics).map(([name, value]) => ({
          name,
          value,
          valueType: valueTypeOf(undefined, value),
        })),
        place: sites.map(placeOf),
      },
    });
    for (const record of byItem.get(quoteItem.id) ?? []) {
      const entity = ctx.catalog.entities.get(record.entity);
      if (!entity) continue;
      items.push({
        id: record.id,
        action: 'add',
        quantity: 1,
        '@type': 'ProductOrderItem',
        product: {
          name: entity.name,
          productSpecification: {
            id: `${quoteItem.productSpecification}.${entity.id}`,
            name: entity.name,
            '@referredType': 'ProductSpecification',
          },
          productCharacteristic: characteristicsOf(entity, record, siteName),
          ...(record.site ? { place: [placeOf(record.site)] } : {}),
        },
        productOrderItemRelationship: [{ id: quoteItem.id, relationshipType: 'bundled' }],
      });
    }
  }

  const contacts = records.filter((r) => r.entity === 'contact');
  const people: RelatedParty[] =
    contacts.length > 0
      ? contacts.map((c) => ({
          id: c.id,
          ...(typeof c.values.name === 'string' ? { name: c.values.name } : {}),
          role: typeof c.values.role === 'string' ? c.values.role : 'contact',
          '@referredType': 'Individual',
        }))
      : proposal.contacts.map((c, i) => ({
          id: `${acquisition.id}-contact-${i + 1}`,
          ...(c.name ? { name: c.name } : {}),
          role: c.role,
          '@referredType': 'Individual',
        }));
  return {
    '@type': 'ProductOrder',
    externalId: acquisition.id,
    description: `Customer data for ${proposal.customer.name}, proposal ${proposal.reference}`,
    category: 'B2B',
    quote: [{ id: proposal.reference, '@referredType': 'Quote' }],
    relatedParty: [
      {
        id: proposal.customer.id ?? acquisition.id,
        name: proposal.customer.name,
        role: 'Customer',
        '@referredType': 'Organization',
      },
      ...people,
    ],
    productOrderItem: items,
  };
}

/** One product of the order as the handover summary shows it. */
export interface OrderedProduct {
  id: string;
  name: string;
  quantity: number;
  /** The captured records bundled under it (sites, users, handsets…). */
  records: number;
}

/** The quote's products in a ProductOrder, with how many captured records each carries. Pure. */
export function orderedProducts(order: ProductOrder): OrderedProduct[] {
  const bundled = new Map<string, number>();
  for (const item of order.productOrderItem)
    for (const r of item.productOrderItemRelationship ?? [])
      bundled.set(r.id, (bundled.get(r.id) ?? 0) + 1);
  return order.productOrderItem
    .filter((item) => !item.productOrderItemRelationship?.length)
    .map((item) => ({
      id: item.id,
      name: item.product.name ?? item.product.productSpecification.id,
      quantity: item.quantity,
      records: bundled.get(item.id) ?? 0,
    }));
}
