import { stringify } from 'csv-stringify/sync';
import type { Catalog, EntitySpec, FieldSpec } from '../catalog/model.js';
import type { StoredRecord } from '../capture/capture-repository.js';
import { maskedValue } from '../secrets/secret-fields.js';
import { inPlanOrder } from '../spreadsheets/template-sheets.js';
import { cellText, neutralizeFormula } from '../spreadsheets/sheet-columns.js';
import { carriesSiteName } from './site-names.js';

/** The name of the site a canonical site reference names (`siteNamesOf`). */
export type SiteName = (ref: string) => string | undefined;
const noNames: SiteName = () => undefined;

/**
 * The column layout of an entity's provisioning export: `record_id`, `site` (the proposal site id),
 * then one column per field named by its downstream `mapping` (the field id when it has none), in
 * catalogue order. A site reference mapped to a name (`siteName`) shows the site's name.
 * The layout changes only when the catalogue does, and the catalogue documents it.
 */
export function exportColumns(entity: EntitySpec): { header: string; field: string | null }[] {
  return [
    { header: 'record_id', field: null },
    { header: 'site', field: null },
    ...entity.fields.map((f) => ({ header: f.mapping ?? f.id, field: f.id })),
  ];
}

/**
 * The rows of an entity's export, as text, in plan order. Secret fields are masked unless named in
 * `reveal` (which the caller has authorised and audited).
 */
export function exportRows(
  entity: EntitySpec,
  records: readonly StoredRecord[],
  reveal: ReadonlySet<string> = new Set(),
  siteName: SiteName = noNames,
): string[][] {
  const columns = exportColumns(entity);
  const specs = new Map(entity.fields.map((f) => [f.id, f]));
  return inPlanOrder(records.filter((r) => r.entity === entity.id)).map((record) =>
    columns.map((c) =>
      c.field === null
        ? c.header === 'record_id'
          ? record.id
          : (record.site ?? '')
        : cellText(
            reveal.has(c.field)
              ? record.values[c.field]
              : shown(specs.get(c.field)!, record.values[c.field], siteName),
          ),
    ),
  );
}

/** A value as an export shows it: masked when secret, a site reference by the site's name where the column is a name. */
function shown(field: FieldSpec, value: unknown, siteName: SiteName): unknown {
  if (carriesSiteName(field) && typeof value === 'string') return siteName(value) ?? value;
  return maskedValue(field, value);
}

/** An entity's export as CSV (UTF-8 with a BOM), protected against formula injection. */
export function exportCsv(
  entity: EntitySpec,
  records: readonly StoredRecord[],
  reveal: ReadonlySet<string> = new Set(),
  siteName: SiteName = noNames,
): string {
  const rows = [
    exportColumns(entity).map((c) => c.header),
    ...exportRows(entity, records, reveal, siteName),
  ];
  return `\ufeff${stringify(rows, { cast: { string: neutralizeFormula } })}`;
}

/** Every entity's export in one XLSX workbook: a sheet per entity, every cell text. */
export async function exportXlsx(
  catalog: Catalog,
  records: readonly StoredRecord[],
  reveal: ReadonlySet<string> = new Set(),
  siteName: SiteName = noNames,
): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Intake';
  for (const entity of catalog.entities.values()) {
    const rows = exportRows(entity, records, reveal, siteName);
    if (rows.length === 0) continue;
    const sheet = workbook.addWorksheet(entity.id.slice(0, 31));
    sheet.addRow(exportColumns(entity).map((c) => c.header)).font = { bold: true };
    for (const row of rows) {
      const added = sheet.addRow(row);
      added.eachCell((cell) => {
        cell.numFmt = '@';
      });
    }
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Entities with at least one record, in catalogue order. */
export function exportedEntities(catalog: Catalog, records: readonly StoredRecord[]): EntitySpec[] {
  const present = new Set(records.map((r) => r.entity));
  return [...catalog.entities.values()].filter((e) => present.has(e.id));
}
