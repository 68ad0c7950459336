/**
 * The requirement catalogue: what customer data each product specification needs.
 * These types mirror `meta-schema.ts`, which every catalogue file is validated against.
 */

export const OWNERS = ['customer', 'sales', 'engineering'] as const;
export type Owner = (typeof OWNERS)[number];

export const SENSITIVITIES = ['personal', 'secret'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];

export const FIELD_TYPES = ['string', 'integer', 'number', 'boolean', 'array'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** Domain formats beyond plain JSON Schema; normalised and checked by the capture engine. */
export const DOMAIN_FORMATS = [
  'e164',
  /** A number or a range of numbers: `+441134960300-+441134960399` (see phone-ranges.ts). */
  'e164-range',
  'mac',
  'cidr',
  'ipv4',
  'ip',
  'fqdn',
  'email',
  'postcode',
  'imei',
  'iccid',
  'eid',
  'extension',
  'date',
  'time-zone',
  'country',
  /** A file uploaded as the answer (a signed LOA, an invoice): the value is the attachment's id. */
  'file',
] as const;
export type DomainFormat = (typeof DOMAIN_FORMATS)[number];

/** When something applies: on a field of the same record, a quote characteristic, or a selected feature. */
export type Condition =
  | { field: string; equals?: unknown; in?: unknown[]; present?: boolean }
  | { characteristic: string; equals?: unknown; in?: unknown[]; present?: boolean }
  | { feature: string }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

/** Where a value can be taken from the proposal. */
export type Prefill =
  | { from: 'characteristic'; name: string }
  | { from: 'item'; path: 'quantity' | 'id' }
  | { from: 'site'; path: string }
  | { from: 'customer'; path: string }
  /** The quantities of the quote items of a product at the record's site (its seats there). */
  | { from: 'siteQuantity'; product: string }
  | {
      from: 'contact';
      path: 'name' | 'email' | 'phone' | 'title';
      role?: string;
      roleField?: string;
    };

export interface ItemSchema {
  type: Exclude<FieldType, 'array'>;
  format?: DomainFormat;
  enum?: (string | number)[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  reference?: string;
}

export interface FieldSpec {
  id: string;
  label: string;
  type: FieldType;
  format?: DomainFormat;
  enum?: (string | number)[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: ItemSchema;
  /** For `format: postcode`: the field of the same record that holds the ISO country. */
  countryField?: string;
  /** The value is the id (or natural key) of a record of this entity. */
  reference?: string;
  /** `true`, or required only when the condition holds. Absent means optional. */
  required?: boolean | { when: Condition };
  owner: Owner;
  question: string;
  help?: string;
  synonyms?: string[];
  sensitivity?: Sensitivity;
  /** For a secret field: the staff roles that may ask to see it in clear (default admin and engineer). */
  reveal?: ('admin' | 'sales' | 'engineer' | 'viewer')[];
  /** Downstream name: the TMF characteristic or export column. */
  mapping?: string;
  prefill?: Prefill;
}

export type Cardinality =
  | { kind: 'perQuantity'; multiplier?: number }
  | { kind: 'perSite'; min?: number; max?: number }
  | { kind: 'fixed'; count: number }
  | { kind: 'range'; min: number; max: number }
  | {
      kind: 'fromCharacteristic';
      characteristic: string;
      max?: number;
      /**
       * When the quote item does not have the characteristic at all: one record per site of the
       * item (a number block per site, for engineering to allocate) instead of none.
       */
      otherwise?: 'perSite';
    }
  | { kind: 'perValue'; field: string; values: string[] };

export type UniqueScope = 'acquisition' | 'site' | 'global';

/** Rules that look across records; the capture engine evaluates them. */
export type CrossRecordRule =
  | { kind: 'unique'; fields: string[]; scope: UniqueScope; message?: string }
  | { kind: 'reference'; field: string; entity: string; message?: string }
  | {
      kind: 'numberInBlock';
      field: string;
      block: { entity: string; from: string; to: string };
      /**
       * Numbers being ported in also count: the list field (numbers or ranges) of these records,
       * e.g. `{ entity: portRequest, field: numbers }`.
       */
      ports?: { entity: string; field: string };
      matchSiteCountry?: boolean;
      message?: string;
    }
  | { kind: 'oneMembership'; field: string; message?: string };

export interface EntitySpec {
  id: string;
  name: string;
  description?: string;
  /** Fields that identify a record for spreadsheet merges, e.g. `[mac]`. */
  naturalKey?: string[];
  /** The field that places a record at a proposal site (a reference to `site`). */
  siteField?: string;
  fields: FieldSpec[];
  rules?: CrossRecordRule[];
}

export interface Need {
  entity: string;
  cardinality: Cardinality;
  /** The entity is needed only when this holds for the quote item. */
  when?: Condition;
}

export interface CharacteristicSpec {
  /** As quotes carry it (`productCharacteristic[].name`), e.g. `callPaths` or `Access Speed`. */
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'array';
  enum?: (string | number)[];
  minimum?: number;
  maximum?: number;
  /** A quote item of the product must carry it (TMF620 `minCardinality` of 1 or more). */
  required?: boolean;
  description?: string;
}

/**
 * Entities a customer's sheet often carries in one row, such as a user and their handset. A row
 * of a sheet of the group fills one record of each entity it has values for, linked as `links` say.
 */
export interface RowGroupSpec {
  id: string;
  /** What the combined sheet is called, e.g. "Users and handsets". */
  name: string;
  description?: string;
  /** The entities of a row, the first being the one the others hang from. At least two. */
  entities: string[];
  /**
   * Values a row's record takes from another record of the same row when its own column is empty:
   * `handset.assignedUser` from `user.extension` links the handset to the row's user.
   */
  links?: RowLink[];
}

/** `field` (entity.field) takes the row's value of `from` (entity.field). */
export interface RowLink {
  field: string;
  from: string;
}

/** One catalogue file: a product specification, or the shared entity library. */
export interface CatalogFile {
  kind: 'product' | 'shared';
  id: string;
  version: string;
  name: string;
  description?: string;
  characteristics?: CharacteristicSpec[];
  /** Features a quote item may select in its `features` characteristic. */
  features?: string[];
  needs?: Need[];
  entities?: EntitySpec[];
  rowGroups?: RowGroupSpec[];
}

/** The whole loaded catalogue, with lookups. Immutable once built. */
export interface Catalog {
  /** Content hash of every file: the version an acquisition pins. */
  versionId: string;
  /** `file id → version` for people to read. */
  fileVersions: Record<string, string>;
  files: CatalogFile[];
  products: ReadonlyMap<string, CatalogFile>;
  entities: ReadonlyMap<string, EntitySpec>;
  /** Row groups of every file, by id. */
  rowGroups: ReadonlyMap<string, RowGroupSpec>;
}
