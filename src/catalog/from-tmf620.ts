import type { CatalogFile, CharacteristicSpec, EntitySpec, Need } from './model.js';

/**
 * TMF620 v4 ProductSpecifications (the operator's product catalogue) read as Intake catalogue
 * products: each `productSpecCharacteristic` becomes a characteristic a quote may carry, with its
 * type, allowed values or range, and whether a quote must carry it. What the deal needs from the
 * customer is not in TMF620, so a new product gets a skeleton (one record per unit, placed at a
 * site) for a person to complete. Pure: the file reading and writing is in import-tmf620.ts.
 */

/** The parts of a TMF620 ProductSpecification this reads (the schema check comes first). */
export interface Tmf620ProductSpecification {
  id?: string;
  name?: string;
  description?: string;
  version?: string;
  lifecycleStatus?: string;
  isBundle?: boolean;
  productSpecCharacteristic?: Tmf620Characteristic[];
}

export interface Tmf620Characteristic {
  name?: string;
  description?: string;
  valueType?: string;
  configurable?: boolean;
  extensible?: boolean;
  minCardinality?: number;
  maxCardinality?: number;
  productSpecCharacteristicValue?: Tmf620CharacteristicValue[];
}

export interface Tmf620CharacteristicValue {
  valueType?: string;
  value?: unknown;
  valueFrom?: number;
  valueTo?: number;
  rangeInterval?: string;
  unitOfMeasure?: string;
  isDefault?: boolean;
}

/** Something to say about a specification, at a JSON pointer of the TMF620 document. */
export interface Tmf620Note {
  pointer: string;
  detail: string;
}

export interface ReadSpecification {
  /** The catalogue product's id, name, version, description and characteristics. */
  product: Pick<CatalogFile, 'id' | 'version' | 'name' | 'description' | 'characteristics'>;
  /** Read, but with something a person should know (a characteristic left out, a version made up). */
  warnings: Tmf620Note[];
}

/** A product id as quotes name it (`productSpecification.id`): TMF620 ids such as `PS-BB-FTTP-01`. */
export const PRODUCT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

const TYPES: Record<string, CharacteristicSpec['type']> = {
  string: 'string',
  text: 'string',
  date: 'string',
  datetime: 'string',
  time: 'string',
  url: 'string',
  email: 'string',
  integer: 'integer',
  int: 'integer',
  long: 'integer',
  number: 'number',
  numeric: 'number',
  decimal: 'number',
  float: 'number',
  double: 'number',
  boolean: 'boolean',
  bool: 'boolean',
};

/** `2`, `2.1`, `v2.1.3`, `2.1.3-beta` → `2.1.3`; anything else is not a version. */
export function semanticVersion(version: string | undefined): string | undefined {
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+].*)?$/i.exec(version?.trim() ?? '');
  if (!match) return undefined;
  return `${Number(match[1])}.${Number(match[2] ?? 0)}.${Number(match[3] ?? 0)}`;
}

/**
 * One ProductSpecification as a catalogue product, or the problems that stop it (at `base`, the
 * specification's pointer in the document).
 */
export function readSpecification(
  spec: Tmf620ProductSpecification,
  base: string,
): ReadSpecification | { problems: Tmf620Note[] } {
  const problems: Tmf620Note[] = [];
  const warnings: Tmf620Note[] = [];
  const id = spec.id?.trim() ?? '';
  if (!PRODUCT_ID.test(id))
    problems.push({
      pointer: `${base}/id`,
      detail: id
        ? `"${id}" cannot name a product: up to 64 letters, digits and . _ : - starting with a letter or digit`
        : 'is required: quotes name the product by it',
    });
  const name = spec.name?.trim() ?? '';
  if (!name) problems.push({ pointer: `${base}/name`, detail: 'is required' });
  let version = semanticVersion(spec.version);
  if (!version) {
    version = '1.0.0';
    warnings.push({
      pointer: `${base}/version`,
      detail: spec.version
        ? `"${spec.version}" is not a version number; the catalogue file says 1.0.0`
        : 'is missing; the catalogue file says 1.0.0',
    });
  }
  if (spec.isBundle)
    warnings.push({
      pointer: `${base}/isBundle`,
      detail:
        'is a bundle: its bundled specifications are read as products of their own when the document holds them',
    });
  const characteristics: CharacteristicSpec[] = [];
  const seen = new Set<string>();
  (spec.productSpecCharacteristic ?? []).forEach((c, i) => {
    const at = `${base}/productSpecCharacteristic/${i}`;
    const read = readCharacteristic(c, at);
    if ('problem' in read) return problems.push(read.problem);
    if ('skip' in read) return warnings.push(read.skip);
    if (seen.has(read.spec.name))
      return problems.push({
        pointer: `${at}/name`,
        detail: `repeats characteristic "${read.spec.name}"`,
      });
    seen.add(read.spec.name);
    characteristics.push(read.spec);
    warnings.push(...read.warnings);
  });
  if (problems.length > 0) return { problems };
  const description = spec.description?.trim().slice(0, 2000);
  return {
    product: {
      id,
      version,
      name: name.slice(0, 2000),
      ...(description ? { description } : {}),
      characteristics,
    },
    warnings,
  };
}

type ReadCharacteristic =
  | { spec: CharacteristicSpec; warnings: Tmf620Note[] }
  | { problem: Tmf620Note }
  | { skip: Tmf620Note };

/** A characteristic name as quotes carry it: printable text, no control characters. */
const CHARACTERISTIC_NAME = /^\P{Cc}{1,100}$/u;

function readCharacteristic(c: Tmf620Characteristic, at: string): ReadCharacteristic {
  const name = c.name?.trim() ?? '';
  if (!CHARACTERISTIC_NAME.test(name))
    return {
      problem: {
        pointer: `${at}/name`,
        detail: name ? 'must be printable text of at most 100 characters' : 'is required',
      },
    };
  const values = c.productSpecCharacteristicValue ?? [];
  const declared = c.valueType ?? values.find((v) => v.valueType)?.valueType;
  const inferred = declared ?? inferType(values);
  const scalar = TYPES[inferred.toLowerCase().replace(/[^a-z]/g, '')];
  if (!scalar)
    return {
      skip: {
        pointer: `${at}/valueType`,
        detail: `"${name}" has value type "${inferred}", which a quote's characteristic cannot be checked against; it is left out`,
      },
    };
  const warnings: Tmf620Note[] = [];
  const many = (c.maxCardinality ?? 1) > 1;
  const spec: CharacteristicSpec = { name, type: many ? 'array' : scalar };
  const units = [...new Set(values.map((v) => v.unitOfMeasure?.trim()).filter(Boolean))];
  const description = [c.description?.trim(), units.length > 0 ? `In ${units.join(', ')}.` : '']
    .filter(Boolean)
    .join(' ')
    .slice(0, 2000);
  if (description) spec.description = description;
  if ((c.minCardinality ?? 0) >= 1) spec.required = true;
  if (many) return { spec, warnings };

  const ranges = values.filter((v) => v.valueFrom !== undefined || v.valueTo !== undefined);
  if (ranges.length > 0 && (scalar === 'integer' || scalar === 'number')) {
    const froms = ranges.map((v) => lowerBound(v, scalar)).filter((n) => n !== undefined);
    const tos = ranges.map((v) => upperBound(v, scalar)).filter((n) => n !== undefined);
    if (froms.length === ranges.length) spec.minimum = Math.min(...froms);
    if (tos.length === ranges.length) spec.maximum = Math.max(...tos);
    if (ranges.length > 1)
      warnings.push({
        pointer: `${at}/productSpecCharacteristicValue`,
        detail: `"${name}" has ${ranges.length} ranges; a quote is checked against the span from the lowest to the highest`,
      });
    return { spec, warnings };
  }
  const listed = values.map((v) => v.value).filter((v) => v !== undefined && v !== null);
  if (listed.length === 0 || scalar === 'boolean' || c.extensible) return { spec, warnings };
  const allowed: (string | number)[] = [];
  for (const [j, value] of listed.entries()) {
    const typed = typedValue(value, scalar);
    if (typed === undefined)
      return {
        problem: {
          pointer: `${at}/productSpecCharacteristicValue/${j}/value`,
          detail: `${JSON.stringify(value)} is not a value of type ${scalar}`,
        },
      };
    if (!allowed.includes(typed)) allowed.push(typed);
  }
  spec.enum = allowed;
  return { spec, warnings };
}

function inferType(values: readonly Tmf620CharacteristicValue[]): string {
  const first = values.find((v) => v.value !== undefined && v.value !== null)?.value;
  if (typeof first === 'boolean') return 'boolean';
  if (typeof first === 'number') return Number.isInteger(first) ? 'integer' : 'number';
  if (values.some((v) => v.valueFrom !== undefined || v.valueTo !== undefined)) return 'integer';
  return 'string';
}

/** Open ends of an integer range move inward by one; a number range keeps its bounds. */
const opensBottom = (v: Tmf620CharacteristicValue) =>
  v.rangeInterval === 'open' || v.rangeInterval === 'closedTop';
const opensTop = (v: Tmf620CharacteristicValue) =>
  v.rangeInterval === 'open' || v.rangeInterval === 'closedBottom';

function lowerBound(v: Tmf620CharacteristicValue, type: 'integer' | 'number') {
  if (v.valueFrom === undefined) return undefined;
  return type === 'integer' && opensBottom(v) ? v.valueFrom + 1 : v.valueFrom;
}

function upperBound(v: Tmf620CharacteristicValue, type: 'integer' | 'number') {
  if (v.valueTo === undefined) return undefined;
  return type === 'integer' && opensTop(v) ? v.valueTo - 1 : v.valueTo;
}

/** A listed value as the type says: `"24"` is 24 for an integer (TMF values are often text). */
function typedValue(value: unknown, type: CharacteristicSpec['type']): string | number | undefined {
  if (type === 'string')
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  const number =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : NaN;
  if (!Number.isFinite(number)) return undefined;
  if (type === 'integer' && !Number.isInteger(number)) return undefined;
  return number;
}

/** `Business Fibre Broadband` → `businessFibreBroadband`, an entity id. */
export function entityIdOf(name: string): string {
  const words = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
  const camel = words
    .map((w, i) => (i === 0 ? w.toLowerCase() : w[0]!.toUpperCase() + w.slice(1).toLowerCase()))
    .join('');
  const id = /^[a-z]/.test(camel)
    ? camel
    : `product${camel[0]?.toUpperCase() ?? ''}${camel.slice(1)}`;
  return id.slice(0, 60);
}

/**
 * What a new product needs before a person completes it: one record per unit agreed, placed at one
 * of the quote's sites, and the sites themselves. The person adds the fields the deal needs.
 */
export function skeletonOf(
  name: string,
  entityId: string,
): { needs: Need[]; entities: EntitySpec[] } {
  return {
    needs: [
      { entity: entityId, cardinality: { kind: 'perQuantity' } },
      { entity: 'site', cardinality: { kind: 'perSite' } },
    ],
    entities: [
      {
        id: entityId,
        name: name.slice(0, 2000),
        siteField: 'site',
        fields: [
          {
            id: 'site',
            label: 'Site',
            type: 'string',
            reference: 'site',
            required: true,
            owner: 'sales',
            question: `At which site is the ${name.slice(0, 1000)} delivered?`,
            mapping: 'siteName',
          },
        ],
      },
    ],
  };
}
