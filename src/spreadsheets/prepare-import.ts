import type { Catalog, EntitySpec, FieldSpec } from '../catalog/model.js';
import type { AcquisitionContext } from '../capture/acquisition-context.js';
import type { ImportLimits } from '../config.js';
import type { ProblemDetail } from '../errors.js';
import {
  columnLetter,
  detectHeaderRow,
  headerScore,
  mapColumns,
  normalizeHeader,
  type MappingOverride,
  type SheetMapping,
} from './header-mapping.js';
import { importErrors } from './import-errors.js';
import type { SheetPlan } from './import-repository.js';
import {
  openTable,
  UnsupportedFileError,
  XlsxError,
  type OpenedTable,
  type TableSheet,
} from './open-table.js';
import { CsvFormatError } from './read-csv.js';
import { SheetLimitError } from './sheet-limits.js';
import { sheetFields, sheetNameOf, type Audience } from './sheet-columns.js';
import type { SheetRow } from './sheet-row.js';

const HEADER_SEARCH_ROWS = 20;

/** A sheet ready to import: its entity, the fields the caller may fill, and its header. */
export interface PreparedSheet {
  sheet: TableSheet;
  entity: EntitySpec;
  fields: FieldSpec[];
  plan: SheetPlan;
  /** The header cells and the rows above the header, as read (for the report). */
  header: string[];
  above: SheetRow[];
}

export interface PreparedImport {
  table: OpenedTable;
  sheets: PreparedSheet[];
  /** Sheets that were left out (instructions, lists, sheets of no entity). */
  skipped: string[];
}

export interface PrepareOptions {
  fileName: string;
  audience: Audience;
  /** The entity of every sheet, when the caller names it. */
  entity?: string;
  /** Explicit column mapping: for all sheets, or by sheet name. */
  mapping?: MappingOverride | Record<string, MappingOverride>;
  limits: ImportLimits;
}

/** Sheets the template adds for people, never data. */
const NOT_DATA = new Set(['instructions', 'lists', 'readme', 'notes']);

/**
 * Opens an upload and works out, for each sheet, the entity it holds, its header row and the
 * mapping of its columns, reading only the first rows. Throws a refusal before anything is stored.
 */
export async function prepareImport(
  path: string,
  ctx: AcquisitionContext,
  options: PrepareOptions,
): Promise<PreparedImport> {
  let table: OpenedTable;
  try {
    table = await openTable(path, options.fileName, options.limits);
  } catch (error) {
    throw refusalOf(error);
  }
  try {
    const entities = importableEntities(ctx.catalog, options.audience);
    if (options.entity !== undefined && !entities.some((e) => e.id === options.entity)) {
      throw importErrors.invalidMapping([
        {
          pointer: '/entity',
          detail: `"${options.entity}" is not an entity ${options.audience === 'customer' ? 'the customer fills in' : 'of the catalogue'} (known: ${entities.map((e) => e.id).join(', ')})`,
        },
      ]);
    }
    const sheets: PreparedSheet[] = [];
    const skipped: string[] = [];
    const unknown: string[] = [];
    for (const sheet of table.sheets) {
      const first = await firstRows(sheet);
      if (first.length === 0 || (NOT_DATA.has(normalizeHeader(sheet.name)) && !options.entity)) {
        skipped.push(sheet.name);
        continue;
      }
      const entity =
        entities.find((e) => e.id === options.entity) ??
        entityBySheetName(sheet.name, entities) ??
        entityByHeaders(first, entities, options.audience);
      if (!entity) {
        unknown.push(sheet.name);
        continue;
      }
      const fields = sheetFields(entity, options.audience);
      const headerIndex = detectHeaderRow(
        first.map((r) => r.cells),
        fields,
      );
      if (headerIndex < 0) throw importErrors.noHeader(sheet.name, entity.name.toLowerCase());
      const headerRow = first[headerIndex]!;
      const override = overrideFor(options.mapping, sheet.name);
      const mapping = mapColumns(headerRow.cells, entity, fields, override);
      checkOverride(mapping, override, fields, entity, sheet.name);
      sheets.push({
        sheet,
        entity,
        fields,
        header: headerRow.cells,
        above: first.slice(0, headerIndex),
        plan: {
          name: sheet.name,
          entity: entity.id,
          headerRow: headerRow.number,
          columns: mapping.columns,
          missingRequired: mapping.missingRequired,
        },
      });
    }
    if (sheets.length === 0) throw importErrors.noEntity(unknown.length > 0 ? unknown : skipped);
    return { table, sheets, skipped: [...skipped, ...unknown] };
  } catch (error) {
    table.close();
    throw refusalOf(error);
  }
}

/** Turns a reader's complaint into the refusal a client sees. */
export function refusalOf(error: unknown): unknown {
  if (error instanceof XlsxError)
    return error.kind === 'too-large'
      ? importErrors.unpacksTooLarge(error.message)
      : importErrors.unreadable(error.message);
  if (error instanceof CsvFormatError || error instanceof UnsupportedFileError)
    return importErrors.unreadable(error.message);
  if (error instanceof SheetLimitError) {
    switch (error.kind) {
      case 'columns':
        return importErrors.tooManyColumns(error.limit, error.sheet, error.row, error.cell);
      case 'rows':
        return importErrors.tooManyRows(error.limit, error.sheet, error.cell);
      case 'cell-length':
        return importErrors.cellTooLong(
          error.limit,
          error.sheet,
          error.row,
          columnLetter(error.column),
        );
    }
  }
  return error;
}

/** Entities with at least one field the audience fills in. */
export function importableEntities(catalog: Catalog, audience: Audience): EntitySpec[] {
  return [...catalog.entities.values()].filter((e) => sheetFields(e, audience).length > 0);
}

async function firstRows(sheet: TableSheet): Promise<SheetRow[]> {
  const rows: SheetRow[] = [];
  for await (const row of sheet.rows()) {
    rows.push(row);
    if (rows.length >= HEADER_SEARCH_ROWS) break;
  }
  return rows;
}

function entityBySheetName(name: string, entities: readonly EntitySpec[]): EntitySpec | undefined {
  const wanted = normalizeHeader(name);
  return entities.find((e) =>
    [e.id, e.name, sheetNameOf(e)].some((candidate) => normalizeHeader(candidate) === wanted),
  );
}

/** The entity whose column names the sheet's first rows match best (at least two of them). */
function entityByHeaders(
  rows: readonly SheetRow[],
  entities: readonly EntitySpec[],
  audience: Audience,
): EntitySpec | undefined {
  let best: { entity: EntitySpec; score: number } | undefined;
  for (const entity of entities) {
    const fields = sheetFields(entity, audience);
    const score = Math.max(0, ...rows.map((r) => headerScore(r.cells, fields)));
    if (score >= 2 && (!best || score > best.score)) best = { entity, score };
  }
  return best?.entity;
}

function overrideFor(
  mapping: PrepareOptions['mapping'],
  sheet: string,
): MappingOverride | undefined {
  if (!mapping) return undefined;
  const values = Object.values(mapping);
  const bySheet = values.length > 0 && values.every((v) => v !== null && typeof v === 'object');
  if (!bySheet) return mapping as MappingOverride;
  return (mapping as Record<string, MappingOverride>)[sheet];
}

/** An explicit mapping may name only fields of the entity that the caller fills in. */
function checkOverride(
  mapping: SheetMapping,
  override: MappingOverride | undefined,
  fields: readonly FieldSpec[],
  entity: EntitySpec,
  sheet: string,
): void {
  if (!override) return;
  const problems: ProblemDetail[] = [];
  for (const column of mapping.columns) {
    if (column.match !== 'explicit' || column.field === null) continue;
    if (!fields.some((f) => f.id === column.field)) {
      const exists = entity.fields.some((f) => f.id === column.field);
      problems.push({
        pointer: `/mapping/${column.header.replace(/~/g, '~0').replace(/\//g, '~1')}`,
        detail: exists
          ? `"${sheet}" column ${column.column}: ${column.field} is not provided by the customer`
          : `"${sheet}" column ${column.column}: ${entity.name.toLowerCase()} has no field "${column.field}"`,
      });
    }
  }
  if (problems.length > 0) throw importErrors.invalidMapping(problems);
}
