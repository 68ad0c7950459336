/**
 * The server's own rules, run in the browser: the same modules the capture engine uses to
 * normalise and check a value (src/capture/record-values.ts, loaded after the first screen as
 * value-checks.ts) and to decide whether a conditional field applies (src/plan/field-state.ts),
 * fed with the acquisition's form context.
 */
import type { EntitySpec, FieldSpec } from '../../../src/catalog/model.js';
import type { FormContext, FormEntity, FormGroup } from '../../../src/forms/schemas.js';
import { evaluateForItems, isPresent, layeredValues } from '../../../src/plan/conditions.js';
import { pickGroup } from '../../../src/plan/record-group.js';
import type { ProposalItem } from '../../../src/proposals/proposal.js';
import type { ValueChecks } from './value-checks-loader.js';

export type { FormContext, FormEntity } from '../../../src/forms/schemas.js';
export type { FieldSpec } from '../../../src/catalog/model.js';

/** The form context of a customer link also says who the link is for and whether their part is in. */
export interface PortalContext extends FormContext {
  contactName: string | null;
  submittedAt: string | null;
}

interface RecordLike {
  entity: string;
  slot?: string | null;
  site?: string | null;
}

export class FormModel {
  readonly entities: Map<string, FormEntity>;
  private readonly groups: Map<string, FormGroup>;
  private readonly groupsByEntity = new Map<string, FormGroup[]>();
  private readonly countries: Map<string, string>;
  readonly siteNames: Map<string, string>;

  constructor(readonly context: FormContext) {
    this.entities = new Map(context.entities.map((e) => [e.id, e]));
    this.groups = new Map(context.groups.map((g) => [g.key, g]));
    for (const g of context.groups) {
      const list = this.groupsByEntity.get(g.entity) ?? [];
      list.push(g);
      this.groupsByEntity.set(g.entity, list);
    }
    this.countries = new Map(context.sites.filter((s) => s.country).map((s) => [s.id, s.country!]));
    this.siteNames = new Map(context.sites.map((s) => [s.id, s.name]));
  }

  private itemsOf(record: RecordLike): ProposalItem[] {
    const group = pickGroup(
      record,
      this.groups,
      this.groupsByEntity.get(record.entity) ?? [],
      (g) => g.site,
    );
    return (group?.items ?? []).map((i) => ({ ...i, quantity: 0, siteIds: [] }));
  }

  /** Whether a field is required for this record with these values (conditions applied). */
  isRequired(field: FieldSpec, record: RecordLike, values: Record<string, unknown>): boolean {
    if (field.required === undefined || field.required === false) return false;
    if (field.required === true) return true;
    return evaluateForItems(field.required.when, layeredValues(values, {}), this.itemsOf(record));
  }

  /**
   * The fields a form shows: every unconditional field, and a conditional one once its condition
   * holds (or it already has a value, which must stay visible to be corrected or cleared).
   */
  visibleFields(
    entity: EntitySpec,
    record: RecordLike,
    values: Record<string, unknown>,
  ): FieldSpec[] {
    return entity.fields.filter(
      (f) =>
        typeof f.required !== 'object' ||
        isPresent(values[f.id]) ||
        this.isRequired(f, record, values),
    );
  }

  /** The problem with each field's value as the server would find it, by field id. */
  check(
    checks: ValueChecks,
    entity: EntitySpec,
    record: RecordLike,
    values: Record<string, unknown>,
  ): Map<string, string> {
    const { countryOf, normalizeRecordValues, resolvableByName } = checks;
    const country = countryOf(entity, values, record.site ?? null, {
      siteCountry: (site) => this.countries.get(site),
      ...(this.context.fallbackCountry ? { fallback: this.context.fallbackCountry } : {}),
    });
    const { problems } = normalizeRecordValues(entity, values, country);
    // A reference written by name (a site's name, a user's email) is the server's to resolve.
    const byName = (field: string) => {
      const spec = entity.fields.find((f) => f.id === field);
      return spec !== undefined && resolvableByName(spec, values[field]);
    };
    return new Map(
      [...problems].filter(([field]) => !byName(field)).map(([field, p]) => [field, p.message]),
    );
  }

  siteName(site: string | null | undefined): string {
    return site ? (this.siteNames.get(site) ?? site) : '';
  }
}

/** A value as an input shows it: the same text a spreadsheet cell of Intake's shows. */
export { cellText as displayValue } from '../../../src/spreadsheets/sheet-columns.js';
