import { OWNERS, type Catalog, type EntitySpec } from '../catalog/model.js';
import type { Proposal } from '../proposals/proposal.js';
import { layeredValues } from './conditions.js';
import { FieldState, fieldState } from './field-state.js';
import { fillGroups, recordSite } from './fill-groups.js';
import { seatsBySite } from './seats-by-site.js';
import type { SlotGroup } from './slots.js';
import type { EntityPlan, EntitySitePlan, Plan, PlanRecord } from './plan.js';
import { ratio } from './completeness.js';

/** Running counts for one entity, per field index. */
interface EntityTally {
  spec: EntitySpec;
  plan: EntityPlan;
  required: number[];
  missing: number[];
  prefilled: number[];
  sites: Map<string | null, EntitySitePlan>;
  /** The entity's slot groups, for its seats per site. */
  groups: SlotGroup[];
}

/**
 * Determines the customer data an agreed proposal requires and what of it is still missing:
 * a pure function of the proposal, the catalogue and the records captured so far.
 * Expected records that are not captured yet share one evaluation per slot group, so the cost
 * grows with the captured records, not with the quantities on the quote.
 *
 * @example
 * const plan = determinePlan(proposal, catalog, []);
 * plan.entities.find((e) => e.entity === 'user')?.expected; // 120 for 120 seats
 */
export function determinePlan(
  proposal: Proposal,
  catalog: Catalog,
  records: readonly PlanRecord[] = [],
): Plan {
  const tallies = new Map<string, EntityTally>();
  const siteTotals = new Map(proposal.sites.map((s) => [s.id, { required: 0, satisfied: 0 }]));
  const tallyOf = (spec: EntitySpec): EntityTally => {
    let tally = tallies.get(spec.id);
    if (!tally) {
      const zeros = () => spec.fields.map(() => 0);
      tally = {
        spec,
        plan: {
          entity: spec.id,
          name: spec.name,
          expected: 0,
          max: 0,
          present: 0,
          complete: 0,
          requiredFields: 0,
          satisfiedFields: 0,
          completeness: 1,
          sites: [],
          missing: [],
          prefilled: [],
        },
        required: zeros(),
        missing: zeros(),
        groups: [],
        prefilled: zeros(),
        sites: new Map(),
      };
      tallies.set(spec.id, tally);
    }
    return tally;
  };

  for (const f of fillGroups(proposal, catalog, records)) {
    const { group } = f;
    const tally = tallyOf(group.entity);
    const { plan } = tally;
    plan.expected += group.count;
    plan.max = plan.max === null || group.max === null ? null : plan.max + group.max;
    tally.groups.push(group);

    // One record (times = 1) or all the empty slots of the group at once (times = their number).
    const count = (
      values: ReturnType<typeof layeredValues>,
      times: number,
      site: string | null,
      captured: boolean,
      expected: boolean,
    ) => {
      let required = 0;
      let missing = 0;
      group.entity.fields.forEach((field, i) => {
        const state = fieldState(field, values, f.prefillPlain, group.items);
        if (state === FieldState.NotRequired) return;
        required++;
        tally.required[i]! += times;
        if (state === FieldState.Missing) {
          missing++;
          tally.missing[i]! += times;
        } else if (state === FieldState.Prefilled) tally.prefilled[i]! += times;
      });
      plan.requiredFields += required * times;
      plan.satisfiedFields += (required - missing) * times;
      let siteRow = tally.sites.get(site);
      if (!siteRow) {
        siteRow = { site, expected: 0, present: 0, complete: 0 };
        tally.sites.set(site, siteRow);
      }
      if (expected) siteRow.expected += times;
      if (captured) {
        plan.present += 1;
        siteRow.present += 1;
      }
      if (missing === 0) {
        plan.complete += times;
        siteRow.complete += times;
      }
      const totals = site ? siteTotals.get(site) : undefined;
      if (totals) {
        totals.required += required * times;
        totals.satisfied += (required - missing) * times;
      }
    };

    let empty = 0;
    const slots = Math.max(group.count, f.records.length);
    for (let i = 0; i < slots; i++) {
      const record = f.records[i];
      if (!record) {
        if (i < group.count) empty++;
        continue;
      }
      const values = layeredValues(record.values, f.prefillPlain);
      count(values, 1, recordSite(group, values, record), true, i < group.count);
    }
    if (empty > 0) count(layeredValues({}, f.prefillPlain), empty, group.site, false, true);
  }

  const owners = new Map(OWNERS.map((o) => [o, { required: 0, missing: 0 }]));
  let requiredFields = 0;
  let satisfiedFields = 0;
  let expectedRecords = 0;
  let presentRecords = 0;
  const entities: EntityPlan[] = [];
  for (const { spec, plan, required, missing, prefilled, sites, groups } of tallies.values()) {
    const seats = seatsBySite(groups);
    plan.completeness = ratio(plan.satisfiedFields, plan.requiredFields);
    plan.sites = [...sites.values()].map((row) =>
      seats && row.site !== null ? { ...row, max: seats.get(row.site)?.max ?? 0 } : row,
    );
    spec.fields.forEach((field, i) => {
      const owner = owners.get(field.owner)!;
      owner.required += required[i]!;
      owner.missing += missing[i]!;
      if (missing[i]! > 0) {
        plan.missing.push({
          field: field.id,
          label: field.label,
          owner: field.owner,
          question: field.question,
          count: missing[i]!,
        });
      }
      if (prefilled[i]! > 0) plan.prefilled.push({ field: field.id, count: prefilled[i]! });
    });
    requiredFields += plan.requiredFields;
    satisfiedFields += plan.satisfiedFields;
    expectedRecords += plan.expected;
    presentRecords += plan.present;
    entities.push(plan);
  }
  return {
    catalogVersion: catalog.versionId,
    completeness: ratio(satisfiedFields, requiredFields),
    requiredFields,
    satisfiedFields,
    expectedRecords,
    presentRecords,
    entities,
    owners: [...owners].map(([owner, o]) => ({
      owner,
      requiredFields: o.required,
      satisfiedFields: o.required - o.missing,
      missingFields: o.missing,
      completeness: ratio(o.required - o.missing, o.required),
    })),
    sites: proposal.sites.map((s) => {
      const t = siteTotals.get(s.id)!;
      return {
        site: s.id,
        name: s.name,
        requiredFields: t.required,
        satisfiedFields: t.satisfied,
        completeness: ratio(t.satisfied, t.required),
      };
    }),
  };
}
