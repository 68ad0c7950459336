import type { Catalog, EntitySpec, FieldSpec, RowGroupSpec } from '../catalog/model.js';
import type { AcquisitionContext } from '../capture/acquisition-context.js';
import type { ImportLimits } from '../config.js';
import type { ProblemDetail } from '../errors.js';
import {
  columnLetter,
  detectHeaderRow,
  headerScore,
  mapColumns,
  normalizeHeader,
  type ColumnMapping,
  type MappingOverride,
  type MappingTarget,
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

/** One entity a sheet fills: its fields, its columns and its Intake ID column. */
export interface SheetPart {
  entity: EntitySpec;
  /** The fields the caller may fill in. */
  fields: FieldSpec[];
  /** The columns that fill this entity's fields. */
  columns: ColumnMapping[];
  /** The column of this entity's Intake ID, if the sheet has one. */
  idColumn?: number;
  /** Fields that take the row's value of another part's field when their own cell is empty. */
  links: { field: string; part: number; from: string }[];
}

/** A sheet ready to import: the entities it fills (one, or a row group's), and its header. */
export interface PreparedSheet {
  sheet: TableSheet;
  /** The sheet's main entity (the row group's first). */
  entity: EntitySpec;
  /** One part per entity a row fills, main entity first. */
  parts: SheetPart[];
  rowGroup?: RowGroupSpec;
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
    const groups = importableRowGroups(ctx.catalog, entities);
    const named =
      options.entity === undefined
        ? undefined
        : (groups.find((g) => g.id === options.entity) ??
          entities.find((e) => e.id === options.entity));
    if (options.entity !== undefined && !named) {
      throw importErrors.invalidMapping([
        {
          pointer: '/entity',
          detail: `"${options.entity}" is not an entity ${options.audience === 'customer' ? 'the customer fills in' : 'of the catalogue'} (known: ${[...entities, ...groups].map((e) => e.id).join(', ')})`,
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
      const kind =
        named ??
        bySheetName(sheet.name, [...groups, ...entities]) ??
        byHeaders(first, entities, groups, options.audience);
      if (!kind) {
        unknown.push(sheet.name);
        continue;
      }
      const rowGroup = 'entities' in kind ? kind : undefined;
      const members = rowGroup
        ? rowGroup.entities.map((id) => ctx.catalog.entities.get(id)!)
        : [kind as EntitySpec];
      const targets = targetsOf(members, options.audience);
      const linked = new Set((rowGroup?.links ?? []).map((l) => l.field));
      const headerIndex = detectHeaderRow(
        first.map((r) => r.cells),
        targets,
      );
      const entity = members[0]!;
      const label = rowGroup ? rowGroup.name.toLowerCase() : entity.name.toLowerCase();
      if (headerIndex < 0) throw importErrors.noHeader(sheet.name, label);
      const headerRow = first[headerIndex]!;
      const override = overrideFor(options.mapping, sheet.name);
      const mapping = mapColumns(headerRow.cells, targets, override, linked);
      checkOverride(mapping, override, targets, sheet.name);
      sheets.push({
        sheet,
        entity,
        parts: partsOf(targets, mapping, rowGroup),
        ...(rowGroup ? { rowGroup } : {}),
        header: headerRow.cells,
        above: first.slice(0, headerIndex),
        plan: {
          name: sheet.name,
          entity: entity.id,
          entities: members.map((m) => m.id),
          ...(rowGroup ? { rowGroup: rowGroup.id } : {}),
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

/** Row groups whose every entity the audience fills in. */
export function importableRowGroups(
  catalog: Catalog,
  entities: readonly EntitySpec[],
): RowGroupSpec[] {
  return [...catalog.rowGroups.values()].filter((g) =>
    g.entities.every((id) => entities.some((e) => e.id === id)),
  );
}

/** The entities of a sheet, each with the fields the audience fills in. */
export function targetsOf(members: readonly EntitySpec[], audience: Audience): MappingTarget[] {
  return members.map((entity) => ({ entity, fields: sheetFields(entity, audience) }));
}

/** Splits a sheet's mapping into one part per entity, with the row group's links. */
function partsOf(
  targets: readonly MappingTarget[],
  mapping: SheetMapping,
  rowGroup: RowGroupSpec | undefined,
): SheetPart[] {
  const index = new Map(targets.map((t, i) => [t.entity.id, i]));
  return targets.map(({ entity, fields }) => ({
    entity,
    fields: [...fields],
    columns: mapping.columns.filter((c) => c.field !== null && c.entity === entity.id),
    idColumn: mapping.columns.find((c) => c.match === 'recordId' && c.entity === entity.id)?.index,
    links: (rowGroup?.links ?? [])
      .filter((l) => l.field.startsWith(`${entity.id}.`))
      .map((l) => {
        const [from, fromField] = l.from.split('.') as [string, string];
        return {
          field: l.field.slice(entity.id.length + 1),
          part: index.get(from)!,
          from: fromField,
        };
      }),
  }));
}

function bySheetName(
  name: string,
  kinds: readonly (EntitySpec | RowGroupSpec)[],
): EntitySpec | RowGroupSpec | undefined {
  const wanted = normalizeHeader(name);
  return kinds.find((k) =>
    [k.id, k.name, 'fields' in k ? sheetNameOf(k) : k.name].some(
      (candidate) => normalizeHeader(candidate) === wanted,
    ),
  );
}

/**
 * What the sheet's first rows hold, by their column names: the entity they match best (at least
 * two names), or a row group when its entities together match more names than any one of them.
 */
function byHeaders(
  rows: readonly SheetRow[],
  entities: readonly EntitySpec[],
  groups: readonly RowGroupSpec[],
  audience: Audience,
): EntitySpec | RowGroupSpec | undefined {
  const scoreOf = (members: readonly EntitySpec[]) => {
    const targets = targetsOf(members, audience);
    return Math.max(0, ...rows.map((r) => headerScore(r.cells, targets)));
  };
  let best: { kind: EntitySpec | RowGroupSpec; score: number } | undefined;
  for (const entity of entities) {
    const score = scoreOf([entity]);
    if (score >= 2 && (!best || score > best.score)) best = { kind: entity, score };
  }
  for (const group of groups) {
    const members = group.entities.map((id) => entities.find((e) => e.id === id)!);
    const score = scoreOf(members);
    if (score >= 2 && (!best || score > best.score)) best = { kind: group, score };
  }
  return best?.kind;
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

/** An explicit mapping may name only fields of the sheet's entities that the caller fills in. */
function checkOverride(
  mapping: SheetMapping,
  override: MappingOverride | undefined,
  targets: readonly MappingTarget[],
  sheet: string,
): void {
  if (!override) return;
  const problems: ProblemDetail[] = [];
  for (const column of mapping.columns) {
    if (column.match !== 'explicit' || column.field === null) continue;
    const target = targets.find((t) => t.entity.id === column.entity)!;
    if (!target.fields.some((f) => f.id === column.field)) {
      const exists = target.entity.fields.some((f) => f.id === column.field);
      const names = targets.map((t) => t.entity.name.toLowerCase()).join(' or ');
      problems.push({
        pointer: `/mapping/${column.header.replace(/~/g, '~0').replace(/\//g, '~1')}`,
        detail: exists
          ? `"${sheet}" column ${column.column}: ${column.field} is not provided by the customer`
          : `"${sheet}" column ${column.column}: ${names} has no field "${column.field}"`,
      });
    }
  }
  if (problems.length > 0) throw importErrors.invalidMapping(problems);
}
