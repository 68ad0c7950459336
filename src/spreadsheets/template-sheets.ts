import type { EntitySpec, FieldSpec, RowGroupSpec } from '../catalog/model.js';
import type { AcquisitionContext } from '../capture/acquisition-context.js';
import type { StoredRecord } from '../capture/capture-repository.js';
import { keyText } from '../capture/record-keys.js';
import { recordIdHeaderOf } from './header-mapping.js';
import { importableEntities, importableRowGroups } from './prepare-import.js';
import {
  headerOf,
  RECORD_ID_HEADER,
  sheetFields,
  sheetNameOf,
  type Audience,
} from './sheet-columns.js';

/** How a template lays its sheets out: one per entity, or a row group's entities on one sheet. */
export type TemplateLayout = 'entities' | 'combined';

/** One entity's columns on a template sheet: its Intake ID, then its fields. */
export interface TemplatePart {
  entity: EntitySpec;
  fields: FieldSpec[];
  idHeader: string;
  /** The column header of each field, in `fields` order. */
  headers: string[];
}

/** A sheet of a template: one entity, or the entities of a row group side by side. */
export interface TemplateSheet {
  name: string;
  description?: string;
  parts: TemplatePart[];
  /** Per row, the record of each part it shows (none for a part the row has no record of). */
  rows: (StoredRecord | undefined)[][];
}

/** The entities a template has sheets for: those the audience fills in that the plan expects. */
export function templateEntities(ctx: AcquisitionContext, audience: Audience): EntitySpec[] {
  return importableEntities(ctx.catalog, audience).filter((e) => ctx.groupsByEntity.has(e.id));
}

/** The row groups a combined template uses: those whose every entity the template has. */
export function templateRowGroups(
  ctx: AcquisitionContext,
  entities: readonly EntitySpec[],
): RowGroupSpec[] {
  return importableRowGroups(ctx.catalog, entities);
}

/** Records in the order the plan placed them (slot groups, then number), extras last. */
export function inPlanOrder(records: readonly StoredRecord[]): StoredRecord[] {
  return [...records].sort((a, b) =>
    (a.slot ?? '\uffff').localeCompare(b.slot ?? '\uffff', 'en', { numeric: true }),
  );
}

/**
 * The sheets of a template. With the combined layout, each row group takes the place of its
 * entities' sheets, one row per main record with the linked records beside it.
 */
export function templateSheets(
  ctx: AcquisitionContext,
  audience: Audience,
  entities: readonly EntitySpec[],
  groups: readonly RowGroupSpec[],
  records: ReadonlyMap<string, readonly StoredRecord[]>,
): TemplateSheet[] {
  const grouped = new Set(groups.flatMap((g) => g.entities));
  const sheets: TemplateSheet[] = groups.map((g) => groupSheet(ctx, audience, g, records));
  for (const entity of entities) {
    if (grouped.has(entity.id)) continue;
    const fields = sheetFields(entity, audience);
    sheets.push({
      name: sheetNameOf(entity),
      ...(entity.description ? { description: entity.description } : {}),
      parts: [{ entity, fields, idHeader: RECORD_ID_HEADER, headers: fields.map(headerOf) }],
      rows: inPlanOrder(records.get(entity.id) ?? []).map((r) => [r]),
    });
  }
  return sheets;
}

function groupSheet(
  ctx: AcquisitionContext,
  audience: Audience,
  group: RowGroupSpec,
  records: ReadonlyMap<string, readonly StoredRecord[]>,
): TemplateSheet {
  const linked = new Set((group.links ?? []).map((l) => l.field));
  const seen = new Set<string>();
  const parts = group.entities.map((id) => {
    const entity = ctx.catalog.entities.get(id)!;
    // A linked field comes from the row's other record, so it has no column of its own.
    const fields = sheetFields(entity, audience).filter((f) => !linked.has(`${id}.${f.id}`));
    // A label an earlier entity of the row uses is told apart by the entity's name.
    const headers = fields.map((f) =>
      seen.has(f.label) ? `${entity.name} ${headerOf(f)}` : headerOf(f),
    );
    for (const f of fields) seen.add(f.label);
    return { entity, fields, idHeader: recordIdHeaderOf(entity), headers };
  });
  return {
    name: group.name,
    ...(group.description ? { description: group.description } : {}),
    parts,
    rows: pairRows(group, records),
  };
}

/**
 * One row per record of the group's first entity, with the records linked to it beside it: those
 * whose linked field holds its value (the handset whose user is this extension), else the next
 * unlinked one in plan order. Records left over get rows of their own.
 */
export function pairRows(
  group: RowGroupSpec,
  records: ReadonlyMap<string, readonly StoredRecord[]>,
): (StoredRecord | undefined)[][] {
  const [main, ...others] = group.entities;
  const mains = inPlanOrder(records.get(main!) ?? []);
  const rows: (StoredRecord | undefined)[][] = mains.map((r) => [r]);
  others.forEach((entity, i) => {
    const column = i + 1;
    const pool = inPlanOrder(records.get(entity) ?? []);
    const used = new Set<string>();
    const link = (group.links ?? []).find(
      (l) => l.field.startsWith(`${entity}.`) && l.from.startsWith(`${main}.`),
    );
    if (link) {
      const field = link.field.slice(entity.length + 1);
      const from = link.from.slice(main!.length + 1);
      const byValue = new Map<string, StoredRecord>();
      for (const r of pool) {
        const v = r.values[field];
        if (v !== undefined && v !== null && v !== '' && !byValue.has(keyText(v)))
          byValue.set(keyText(v), r);
      }
      rows.forEach((row) => {
        const v = row[0]!.values[from];
        const hit = v === undefined || v === null || v === '' ? undefined : byValue.get(keyText(v));
        if (hit && !used.has(hit.id)) {
          row[column] = hit;
          used.add(hit.id);
        }
      });
    }
    const rest = pool.filter((r) => !used.has(r.id));
    for (const row of rows) {
      if (row[column] || rest.length === 0) continue;
      row[column] = rest.shift();
    }
    for (const r of rest) {
      const row: (StoredRecord | undefined)[] = [];
      row[column] = r;
      rows.push(row);
    }
  });
  return rows.map((row) => group.entities.map((_, i) => row[i]));
}
