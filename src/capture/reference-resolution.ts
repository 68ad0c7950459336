import type { EntitySpec, FieldSpec } from '../catalog/model.js';
import type { ProposalSite } from '../proposals/proposal.js';
import type { CapturedRecord } from './record.js';
import { listItems } from './normalize-field.js';

/**
 * References by what people write (docs/references.md). A reference field accepts the referenced
 * record's id or its natural names, and stores the canonical reference:
 * - a site: the proposal site id when the site is one of the proposal's, else the site record's
 *   id; it is found by that id, the quote's site name, a site record's name or id, a unique prefix
 *   of a name (at least three characters) or the postcode;
 * - a user: the extension; found by the extension, the email or the full name "First Last".
 * Pure: the caller reads the records the directories are built from.
 */

/** One record that can be referred to: its canonical reference and what it is called. */
export interface ReferenceTarget {
  /** The value stored in a reference to it. */
  ref: string;
  /** How it is shown in a message. */
  label: string;
  /** Ids (compared case-insensitively). */
  ids: readonly string[];
  /** Names (compared ignoring case, punctuation and extra spaces; prefixes too when `prefix`). */
  names: readonly string[];
  /** Codes compared without spaces and case (postcodes), or emails (compared case-insensitively). */
  codes: readonly string[];
}

export type Resolution =
  | { kind: 'resolved'; ref: string }
  | { kind: 'ambiguous'; candidates: ReferenceTarget[] }
  | { kind: 'unknown' };

/** A name as it is compared: lower case, punctuation and runs of spaces as one space. */
export const nameKey = (text: string) =>
  text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
const idKey = (text: string) => text.trim().toLowerCase();
const codeKey = (text: string) => text.replace(/\s+/g, '').toLowerCase();

/** The shortest prefix of a name that may name a record. */
export const MIN_PREFIX = 3;

/** One target (resolved), several (ambiguous), or undefined to try the next way of naming. */
function decide(found: readonly ReferenceTarget[] | undefined): Resolution | undefined {
  if (!found || found.length === 0) return undefined;
  if (found.length === 1) return { kind: 'resolved', ref: found[0]!.ref };
  const distinct = [...new Map(found.map((t) => [t.ref, t])).values()];
  if (distinct.length === 1) return { kind: 'resolved', ref: distinct[0]!.ref };
  return { kind: 'ambiguous', candidates: distinct };
}

/** The records of one entity that references can name, indexed by each way of naming them. */
export class ReferenceDirectory {
  private readonly byId = new Map<string, ReferenceTarget[]>();
  private readonly byName = new Map<string, ReferenceTarget[]>();
  private readonly byCode = new Map<string, ReferenceTarget[]>();
  private readonly names: { key: string; target: ReferenceTarget }[] = [];

  constructor(
    readonly targets: readonly ReferenceTarget[],
    private readonly prefixes: boolean,
  ) {
    const add = (map: Map<string, ReferenceTarget[]>, key: string, target: ReferenceTarget) => {
      if (key === '') return;
      const list = map.get(key);
      if (!list) map.set(key, [target]);
      else if (!list.includes(target)) list.push(target);
    };
    for (const target of targets) {
      for (const id of target.ids) add(this.byId, idKey(id), target);
      for (const name of target.names) {
        add(this.byName, nameKey(name), target);
        if (prefixes) this.names.push({ key: nameKey(name), target });
      }
      for (const code of target.codes) add(this.byCode, codeKey(code), target);
    }
  }

  /** What a written value names: exactly one target, several (ambiguous) or none. */
  resolve(raw: string): Resolution {
    const name = nameKey(raw);
    return (
      decide(this.byId.get(idKey(raw))) ??
      decide(this.byName.get(name)) ??
      decide(this.byCode.get(codeKey(raw))) ??
      decide(this.withPrefix(name)) ?? { kind: 'unknown' }
    );
  }

  private withPrefix(key: string): ReferenceTarget[] | undefined {
    if (!this.prefixes || key.length < MIN_PREFIX) return undefined;
    const found = new Set<ReferenceTarget>();
    for (const n of this.names) if (n.key.startsWith(key)) found.add(n.target);
    return [...found];
  }

  /** The target a canonical reference names. */
  target(ref: string): ReferenceTarget | undefined {
    return this.targets.find((t) => t.ref === ref);
  }
}

/**
 * The sites an order's references can name: the proposal's sites (by id, quote name and address
 * postcode) merged with the captured site records of each (by record id, name and postcode), and
 * the extra site records, not in the proposal, by their own id.
 */
export function siteDirectory(
  proposalSites: readonly ProposalSite[],
  siteRecords: readonly CapturedRecord[],
): ReferenceDirectory {
  const byRef = new Map<
    string,
    { ref: string; label: string; ids: string[]; names: string[]; codes: string[] }
  >();
  for (const s of proposalSites) {
    byRef.set(s.id, {
      ref: s.id,
      label: `${s.name} (${s.id})`,
      ids: [s.id],
      names: [s.name],
      codes: s.address.postcode ? [s.address.postcode] : [],
    });
  }
  for (const r of siteRecords) {
    const name = typeof r.values.name === 'string' ? r.values.name : undefined;
    const postcode = typeof r.values.postcode === 'string' ? r.values.postcode : undefined;
    const ref = r.site && byRef.has(r.site) ? r.site : r.id;
    let target = byRef.get(ref);
    if (!target) {
      target = { ref, label: name ? `${name} (${r.id})` : r.id, ids: [], names: [], codes: [] };
      byRef.set(ref, target);
    }
    target.ids.push(r.id);
    if (name) target.names.push(name);
    if (postcode) target.codes.push(postcode);
  }
  return new ReferenceDirectory([...byRef.values()], true);
}

/** What resolution needs of a user: the values of its record. */
export type UserValues = Readonly<Record<string, unknown>>;

/** The users an order's references can name, by extension, email and full name "First Last". */
export function userDirectory(users: Iterable<UserValues>): ReferenceDirectory {
  const targets: ReferenceTarget[] = [];
  for (const u of users) {
    const extension = textOf(u.extension);
    if (!extension) continue;
    const first = textOf(u.firstName);
    const last = textOf(u.lastName);
    const email = textOf(u.email);
    const full = [first, last].filter(Boolean).join(' ');
    targets.push({
      ref: extension,
      label: full ? `${full} (${extension})` : extension,
      ids: [extension],
      names: full ? [full] : [],
      codes: email ? [email] : [],
    });
  }
  return new ReferenceDirectory(targets, false);
}

const textOf = (value: unknown) =>
  typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';

/** The entity a field refers to, if it is a reference (or a list of them). */
export const referenceTarget = (field: FieldSpec): string | undefined =>
  field.reference ?? field.items?.reference;

/**
 * True when a written value of a reference field is to be looked up rather than taken as it is:
 * any text for a site; for an extension-valued reference, text that is not already digits (an
 * email or a name). The browser uses it not to refuse a value the server will resolve.
 */
export function resolvableByName(field: FieldSpec, raw: unknown): boolean {
  if (!referenceTarget(field)) return false;
  const format = field.format ?? field.items?.format;
  if (field.type !== 'array') return itemResolvable(format, raw);
  return listItems(raw).some((item) => itemResolvable(format, item));
}

const DIGITS = /^[\d\s-]+$/;
/** One written item of a reference: text, and for an extension-valued reference not digits. */
export const itemResolvable = (format: string | undefined, item: unknown) =>
  typeof item === 'string' &&
  item.trim() !== '' &&
  (format !== 'extension' || !DIGITS.test(item.trim()));

/** The directory of each entity that references may name, or undefined when not loaded. */
export type Directories = (target: string) => ReferenceDirectory | undefined;

/**
 * A record's written values with every reference written by name replaced by its canonical
 * reference. Only the fields in `written` are looked at; a value that names no record, or several,
 * is kept as written (the reference check reports it with the candidates). The same object is
 * returned when nothing changes.
 */
export function resolveReferences(
  entity: EntitySpec,
  written: Readonly<Record<string, unknown>>,
  directories: Directories,
): Readonly<Record<string, unknown>> {
  let out: Record<string, unknown> | undefined;
  for (const field of entity.fields) {
    const raw = written[field.id];
    if (raw === undefined || raw === null || !resolvableByName(field, raw)) continue;
    const directory = directories(referenceTarget(field)!);
    if (!directory) continue;
    const format = field.format ?? field.items?.format;
    const one = (item: unknown) => {
      if (!itemResolvable(format, item)) return item;
      const found = directory.resolve(item as string);
      return found.kind === 'resolved' ? found.ref : item;
    };
    const items = field.type === 'array' ? listItems(raw) : undefined;
    const value = items ? items.map(one) : one(raw);
    const changed = items ? (value as unknown[]).some((v, i) => v !== items[i]) : value !== raw;
    if (!changed) continue;
    out ??= { ...written };
    out[field.id] = value;
  }
  return out ?? written;
}

/** How many candidates a message lists before "and N more". */
const SHOWN = 5;

const listed = (targets: readonly ReferenceTarget[], label = (t: ReferenceTarget) => t.label) => {
  const shown = targets.slice(0, SHOWN).map(label).join(', ');
  return targets.length > SHOWN ? `${shown} and ${targets.length - SHOWN} more` : shown;
};

/**
 * Why a written value names no record of the directory, in words that list the candidates:
 * `"Man" matches 2 sites: Manchester Depot (manchester-depot), Manchester Airport (man-air); write
 * the full name` or `"Londn HQ" does not match any site in this order; sites are: Leeds HQ, …`.
 */
export function describeUnresolved(
  directory: ReferenceDirectory,
  value: string,
  entityName: string,
): string {
  const name = entityName.toLowerCase();
  const found = directory.resolve(value);
  if (found.kind === 'ambiguous')
    return `"${value}" matches ${found.candidates.length} ${name}s: ${listed(found.candidates)}; write the full name.`;
  const all = directory.targets;
  const known =
    all.length === 0
      ? `there are no ${name}s yet`
      : `${name}s are: ${listed(all, (t) => t.names[0] ?? t.label)}`;
  return `"${value}" does not match any ${name} in this order; ${known}.`;
}
