import type { Catalog, DomainFormat, EntitySpec } from '../catalog/model.js';
import { columnLetter, normalizeHeader, type ColumnMapping } from './header-mapping.js';
import { ipFamily } from '../capture/formats.js';
import type { ImportFinding } from './import-finding.js';
import { PROBLEMS_HEADER } from './sheet-columns.js';

/** A column an import did not store, with what it held. */
export interface IgnoredColumn {
  column: string;
  header: string;
  /** How many of its cells below the header had a value. */
  nonEmpty: number;
  /** The known format most of its values have, and the field they probably belong in. */
  looksLike?: { format: SniffedFormat; name: string; field: string | null; label: string | null };
}

export type SniffedFormat = Extract<DomainFormat, 'mac' | 'e164' | 'email' | 'ip'>;

const FORMAT_NAMES: Record<SniffedFormat, string> = {
  mac: 'MAC addresses',
  e164: 'phone numbers',
  email: 'email addresses',
  ip: 'IP addresses',
};

const MAC = /^(?:[0-9a-f]{2}[:-]){5}[0-9a-f]{2}$|^(?:[0-9a-f]{4}\.){2}[0-9a-f]{4}$|^[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;
/** A phone number in any common notation: a leading + or 0, then digits, spaces, dots, dashes, brackets. */
const PHONE = /^(?:\+|00|0|\(0)[\d\s().-]{6,20}$/;

/** The format a value has, if it is one a field of the catalogue is likely to want. */
export function sniffFormat(value: string): SniffedFormat | undefined {
  const text = value.trim();
  if (MAC.test(text) && /[a-f:.-]/i.test(text)) return 'mac';
  if (EMAIL.test(text)) return 'email';
  if (ipFamily(text)) return 'ip';
  if (PHONE.test(text) && text.replace(/\D/g, '').length >= 7) return 'e164';
  return undefined;
}

/** A share of a column's values above which it is said to hold a format. */
const LOOKS_LIKE_SHARE = 0.8;

/**
 * Tallies the cells of the columns an import does not store (unmapped, ignored, or without a
 * header), and how many of them look like a known format, so that nothing is dropped unseen.
 */
export class IgnoredColumns {
  private readonly counts = new Map<number, number>();
  private readonly formats = new Map<number, Map<SniffedFormat, number>>();
  private readonly kept: Set<number>;

  constructor(private readonly columns: readonly ColumnMapping[]) {
    // Columns Intake reads, and the Problems column of its own report, are not "ignored".
    this.kept = new Set(
      columns
        .filter(
          (c) =>
            c.field !== null ||
            c.match === 'recordId' ||
            normalizeHeader(c.header) === normalizeHeader(PROBLEMS_HEADER),
        )
        .map((c) => c.index),
    );
  }

  /** Counts one row's cells that would be dropped. */
  add(cells: readonly string[]): void {
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i]!;
      if (this.kept.has(i) || cell.trim() === '') continue;
      this.counts.set(i, (this.counts.get(i) ?? 0) + 1);
      const format = sniffFormat(cell);
      if (!format) continue;
      let byFormat = this.formats.get(i);
      if (!byFormat) this.formats.set(i, (byFormat = new Map<SniffedFormat, number>()));
      byFormat.set(format, (byFormat.get(format) ?? 0) + 1);
    }
  }

  /**
   * The ignored columns: every one with a header, and any without one that held values. A column
   * whose values mostly have a format names the unmapped field of the sheet's entities (or else of
   * the catalogue) it most likely belongs in.
   */
  result(sheetEntities: readonly EntitySpec[], catalog: Catalog): IgnoredColumn[] {
    const byIndex = new Map(this.columns.map((c) => [c.index, c]));
    const mapped = new Set(
      this.columns.filter((c) => c.field !== null).map((c) => `${c.entity}.${c.field}`),
    );
    const indexes = new Set([
      ...this.columns.filter((c) => !this.kept.has(c.index)).map((c) => c.index),
      ...this.counts.keys(),
    ]);
    return [...indexes]
      .sort((a, b) => a - b)
      .map((index) => {
        const nonEmpty = this.counts.get(index) ?? 0;
        const out: IgnoredColumn = {
          column: columnLetter(index),
          header: byIndex.get(index)?.header ?? '',
          nonEmpty,
        };
        const [format, n] =
          [...(this.formats.get(index) ?? [])].sort((a, b) => b[1] - a[1])[0] ?? [];
        if (format && n! >= Math.max(1, nonEmpty * LOOKS_LIKE_SHARE)) {
          const field = likelyField(format, sheetEntities, catalog, mapped);
          out.looksLike = {
            format,
            name: FORMAT_NAMES[format],
            field: field ? `${field.entity.id}.${field.id}` : null,
            label: field ? `${field.entity.name} ${field.label}` : null,
          };
        }
        return out;
      });
  }
}

/** The first field of that format not yet filled by a column: the sheet's entities first. */
function likelyField(
  format: SniffedFormat,
  sheetEntities: readonly EntitySpec[],
  catalog: Catalog,
  mapped: ReadonlySet<string>,
) {
  const formats = format === 'ip' ? ['ip', 'ipv4'] : [format];
  const entities = [
    ...sheetEntities,
    ...[...catalog.entities.values()].filter((e) => !sheetEntities.includes(e)),
  ];
  for (const entity of entities) {
    const field = entity.fields.find(
      (f) => f.format && formats.includes(f.format) && !mapped.has(`${entity.id}.${f.id}`),
    );
    if (field) return { ...field, entity };
  }
  return undefined;
}

/** The warning an ignored column whose values have a known format gives, at the header row. */
export function ignoredColumnWarning(
  sheet: string,
  headerRow: number,
  column: IgnoredColumn,
): ImportFinding | undefined {
  const like = column.looksLike;
  if (!like) return undefined;
  const where = column.header
    ? `Column ${column.column} "${column.header}"`
    : `Column ${column.column}`;
  const advice = like.field
    ? `map it to ${like.label} (${like.field}) to import them`
    : 'no field of this sheet takes them';
  return {
    sheet,
    row: headerRow,
    column: column.column,
    header: column.header,
    value: '',
    entity: like.field ? like.field.split('.')[0]! : '',
    field: like.field ? like.field.split('.')[1]! : '',
    rule: 'import.column-ignored',
    severity: 'warning',
    message: `${where} was not imported, but its ${column.nonEmpty} values look like ${like.name}: ${advice}.`,
  };
}
