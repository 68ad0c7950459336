import { OWNERS, type Catalog, type EntitySpec, type Owner } from '../catalog/model.js';
import { FIELD_RULES, type Finding, type Severity } from '../capture/record.js';
import type { PlanRecord, PlanSlot } from '../plan/plan.js';
import type { Proposal } from '../proposals/proposal.js';
import { recordName } from '../interview/record-names.js';

/** A record as a problem list names it. `id` is null for a record the plan expects but nobody has entered. */
export interface RecordRef {
  id: string | null;
  name: string;
  site: string | null;
}

/**
 * Problems of one kind on one field at one site: every record missing a required answer, or every
 * finding of one rule. The unit people fix in bulk, and the unit a refused submit lists.
 */
export interface ProblemGroup {
  /** Stable while the problems last: kind, rule, entity, field and site. */
  key: string;
  kind: 'missing' | 'problem';
  /** The finding's rule, or `required` for a missing answer. */
  rule: string;
  severity: Severity;
  entity: string;
  entityName: string;
  /** '' for a problem of the record as a whole or of the entity's count. */
  field: string;
  fieldLabel: string;
  owner: Owner;
  site: string | null;
  siteName: string;
  /** What is wrong, in one sentence. */
  message: string;
  count: number;
  /** The first records, by name. */
  sample: RecordRef[];
}

/** What one owner still owes at one site. */
export interface SiteWork {
  site: string | null;
  siteName: string;
  missing: number;
  problems: number;
  followUps: number;
}

/** What one owner (customer, sales, engineering) still owes, in all and per site. */
export interface OwnerWork {
  owner: Owner;
  missing: number;
  problems: number;
  followUps: number;
  overdueFollowUps: number;
  sites: SiteWork[];
}

export interface WorkTotals {
  missing: number;
  blocking: number;
  warnings: number;
  followUps: number;
  overdueFollowUps: number;
}

export interface WorkList {
  totals: WorkTotals;
  owners: OwnerWork[];
  groups: ProblemGroup[];
}

/** An open follow-up, as the work list counts it. */
export interface OpenFollowUp {
  recordId: string;
  field: string;
  dueDate: string;
}

export interface WorkInput {
  catalog: Catalog;
  proposal: Proposal;
  records: readonly PlanRecord[];
  /** Every slot of the plan, with the required fields it still misses. */
  slots: readonly PlanSlot[];
  findings: readonly Finding[];
  followUps: readonly OpenFollowUp[];
  /** Today, YYYY-MM-DD: follow-ups due before it are overdue. */
  today: string;
}

/** One group's records in full, with what each holds; for the group's page and bulk fixes. */
export interface GroupMember extends RecordRef {
  /** The record's own message, when it differs from the group's. */
  message?: string;
}

const SAMPLE = 5;
const NO_SITE = 'No site given yet';

export const groupKey = (
  kind: ProblemGroup['kind'],
  rule: string,
  entity: string,
  field: string,
  site: string | null,
) => [kind, rule, entity, field, site ?? ''].join('|');

/** Record-level problems (duplicates across fields, counts against the quote) are sales' to sort out. */
const ownerOf = (entity: EntitySpec | undefined, field: string): Owner =>
  entity?.fields.find((f) => f.id === field)?.owner ?? 'sales';

/**
 * Groups everything that stands between an acquisition and its handover: the required answers still
 * missing (per entity, field and site) and the findings (per rule, entity, field and site), with
 * what each owner owes per site. Blocking problems come first, then missing answers, then
 * warnings, the largest first within each. Pure.
 */
export function buildWorkList(input: WorkInput): WorkList {
  const index = new WorkIndex(input);
  const owners = new Map<Owner, OwnerTally>(OWNERS.map((o) => [o, new OwnerTally(o)]));
  const groups = new Map<string, { group: ProblemGroup; messages: Map<string, number> }>();
  const entryOf = (
    base: Omit<ProblemGroup, 'key' | 'count' | 'sample' | 'message'>,
    message: string,
  ) => {
    const key = groupKey(base.kind, base.rule, base.entity, base.field, base.site);
    let entry = groups.get(key);
    if (!entry) {
      entry = { group: { ...base, key, count: 0, sample: [], message }, messages: new Map() };
      groups.set(key, entry);
    }
    return entry;
  };
  const add = (
    base: Omit<ProblemGroup, 'key' | 'count' | 'sample' | 'message'>,
    member: RecordRef | null,
    message: string,
  ) => {
    const entry = entryOf(base, message);
    entry.group.count++;
    entry.messages.set(message, (entry.messages.get(message) ?? 0) + 1);
    if (member && entry.group.sample.length < SAMPLE) entry.group.sample.push(member);
  };

  const invalid = new Set(
    input.findings.filter((f) => FIELD_RULES.has(f.rule)).map((f) => `${f.recordId}|${f.field}`),
  );
  // A missing answer per slot and field: tens of thousands on a large deal, so each group's entry
  // is looked up once per entity, field and site, and records are named only for the sample.
  const missingEntries = new Map<string, ReturnType<typeof entryOf>>();
  for (const slot of input.slots) {
    const entity = input.catalog.entities.get(slot.entity);
    if (!entity) continue;
    for (const field of slot.missing) {
      // An invalid value counts as missing in the plan; it is listed once, as its problem.
      if (invalid.size && slot.recordId && invalid.has(`${slot.recordId}|${field}`)) continue;
      const at = `${entity.id}|${field}|${slot.site ?? ''}`;
      let entry = missingEntries.get(at);
      if (!entry) {
        const spec = entity.fields.find((f) => f.id === field);
        const label = spec?.label ?? field;
        entry = entryOf(
          {
            kind: 'missing',
            rule: 'required',
            severity: 'blocking',
            entity: entity.id,
            entityName: entity.name,
            field,
            fieldLabel: label,
            owner: spec?.owner ?? 'sales',
            site: slot.site,
            siteName: index.siteName(slot.site),
          },
          `${label} is missing`,
        );
        missingEntries.set(at, entry);
      }
      owners.get(entry.group.owner)!.count(slot.site, index, 'missing');
      entry.group.count++;
      if (entry.group.sample.length < SAMPLE) entry.group.sample.push(index.member(slot));
    }
  }
  for (const f of index.inPlanOrder(input.findings)) {
    const entity = input.catalog.entities.get(f.entity);
    const record = f.recordId ? index.records.get(f.recordId) : undefined;
    const site = record?.site ?? null;
    const owner = ownerOf(entity, f.field);
    owners.get(owner)!.count(site, index, 'problems');
    add(
      {
        kind: 'problem',
        rule: f.rule,
        severity: f.severity,
        entity: f.entity,
        entityName: entity?.name ?? f.entity,
        field: f.field,
        fieldLabel: entity?.fields.find((x) => x.id === f.field)?.label ?? '',
        owner,
        site,
        siteName: index.siteName(site),
      },
      record ? index.refOf(record) : null,
      f.message,
    );
  }
  let overdue = 0;
  for (const u of input.followUps) {
    const record = index.records.get(u.recordId);
    const entity = record ? input.catalog.entities.get(record.entity) : undefined;
    const tally = owners.get(ownerOf(entity, u.field))!;
    tally.count(record?.site ?? null, index, 'followUps');
    if (u.dueDate < input.today) {
      tally.overdue++;
      overdue++;
    }
  }

  const list = [...groups.values()].map(({ group, messages }) => {
    // One message says it when every record says the same; otherwise the commonest.
    if (messages.size <= 1) return group;
    const [message] = [...messages].sort((a, b) => b[1] - a[1])[0]!;
    return { ...group, message: `${message} (and similar)` };
  });
  // Wrong values first (someone gave an answer that cannot be used), then missing answers, then
  // warnings; the largest first within each.
  const rank = (g: ProblemGroup) => (g.severity !== 'blocking' ? 2 : g.kind === 'missing' ? 1 : 0);
  list.sort((a, b) => rank(a) - rank(b) || b.count - a.count || a.key.localeCompare(b.key));
  const ownerList = [...owners.values()].map((o) => o.result());
  return {
    totals: {
      missing: ownerList.reduce((n, o) => n + o.missing, 0),
      blocking: input.findings.filter((f) => f.severity === 'blocking').length,
      warnings: input.findings.filter((f) => f.severity === 'warning').length,
      followUps: input.followUps.length,
      overdueFollowUps: overdue,
    },
    owners: ownerList,
    groups: list,
  };
}

/** Every record of one group, named, in the order of the plan. Pure. */
export function groupMembers(input: WorkInput, key: string): GroupMember[] {
  const [kind, rule, entity, field, site = ''] = key.split('|');
  const index = new WorkIndex(input);
  const atSite = (s: string | null) => (s ?? '') === site;
  if (kind === 'missing') {
    const invalid = new Set(
      input.findings
        .filter((f) => FIELD_RULES.has(f.rule) && f.field === field)
        .map((f) => f.recordId),
    );
    return input.slots
      .filter(
        (s) =>
          s.entity === entity &&
          atSite(s.site) &&
          s.missing.includes(field!) &&
          !(s.recordId && invalid.has(s.recordId)),
      )
      .map((s) => index.member(s));
  }
  const members: GroupMember[] = [];
  const seen = new Set<string>();
  for (const f of index.inPlanOrder(input.findings)) {
    if (f.rule !== rule || f.entity !== entity || f.field !== field) continue;
    const record = f.recordId ? index.records.get(f.recordId) : undefined;
    if (!atSite(record?.site ?? null) || (record && seen.has(record.id))) continue;
    if (record) seen.add(record.id);
    members.push({ ...(record ? index.refOf(record) : index.entityRef(f)), message: f.message });
  }
  return members;
}

/** Records by id, their names, and the proposal's site names. */
class WorkIndex {
  readonly records: Map<string, PlanRecord>;
  private readonly sites: Map<string, string>;
  private readonly ordinals = new Map<string, number>();
  private readonly names = new Map<string, string>();

  constructor(private readonly input: WorkInput) {
    this.records = new Map(input.records.map((r) => [r.id, r]));
    this.sites = new Map(input.proposal.sites.map((s) => [s.id, s.name]));
    const counters = new Map<string, number>();
    for (const slot of input.slots) {
      const n = (counters.get(slot.entity) ?? 0) + 1;
      counters.set(slot.entity, n);
      this.ordinals.set(slot.recordId ?? slot.id, n);
    }
  }

  /** Findings in the order of their records in the plan (entity-level ones first). */
  inPlanOrder(findings: readonly Finding[]): Finding[] {
    const at = (f: Finding) => (f.recordId ? (this.ordinals.get(f.recordId) ?? Infinity) : 0);
    return [...findings].sort((a, b) => at(a) - at(b));
  }

  siteName(site: string | null): string {
    return site === null ? NO_SITE : (this.sites.get(site) ?? site);
  }

  refOf(record: PlanRecord): RecordRef {
    let name = this.names.get(record.id);
    if (name === undefined) {
      const entity = this.input.catalog.entities.get(record.entity);
      const ordinal = this.ordinals.get(record.id) ?? this.ordinals.size + 1;
      name = entity
        ? recordName(
            entity,
            { values: record.values },
            record.site ? this.siteName(record.site) : null,
            ordinal,
          )
        : record.entity;
      this.names.set(record.id, name);
    }
    return { id: record.id, name, site: record.site ?? null };
  }

  member(slot: PlanSlot): RecordRef {
    const record = slot.recordId ? this.records.get(slot.recordId) : undefined;
    if (record) return this.refOf(record);
    const entity = this.input.catalog.entities.get(slot.entity);
    const ordinal = this.ordinals.get(slot.id) ?? 0;
    return {
      id: null,
      name: `${entity?.name ?? slot.entity} ${ordinal} (not entered yet)`,
      site: slot.site,
    };
  }

  entityRef(f: Finding): RecordRef {
    return {
      id: null,
      name: this.input.catalog.entities.get(f.entity)?.name ?? f.entity,
      site: null,
    };
  }
}

class OwnerTally {
  missing = 0;
  problems = 0;
  followUps = 0;
  overdue = 0;
  private readonly sites = new Map<string | null, SiteWork>();

  constructor(private readonly owner: Owner) {}

  count(site: string | null, index: WorkIndex, what: 'missing' | 'problems' | 'followUps') {
    this[what]++;
    let row = this.sites.get(site);
    if (!row) {
      row = { site, siteName: index.siteName(site), missing: 0, problems: 0, followUps: 0 };
      this.sites.set(site, row);
    }
    row[what]++;
  }

  result(): OwnerWork {
    return {
      owner: this.owner,
      missing: this.missing,
      problems: this.problems,
      followUps: this.followUps,
      overdueFollowUps: this.overdue,
      sites: [...this.sites.values()].sort(
        (a, b) =>
          Number(a.site === null) - Number(b.site === null) || a.siteName.localeCompare(b.siteName),
      ),
    };
  }
}
